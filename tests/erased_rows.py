"""What may still name an erased person in the read store, shared by the tests that look for them.

An erased person's id stays only in bookkeeping: the kept state of their deleted videos (so a late
or replayed event cannot bring one back), erasure markers and withdrawn consent, anonymous totals
keyed by the id, and notification change marks, which expire within hours. No row may say whom they
followed, liked, blocked or reported, or who followed or blocked them.
"""

from __future__ import annotations

BOOKKEEPING = frozenset(
    {
        "profiles",  # the card says "erased", nothing else
        "profile_counts",
        "profiles_erased",
        "video_owner",
        "video_details",
        "owner_videos",
        "details_erased",
        "trending_state",
        "trending_erased",
        "feed_creators",
        "feed_video_state",
        "feed_erased",
        "fresh_video_state",
        "rec_model",
        "rec_users",
        "rec_videos",
        "rec_video_facts",
        "rec_erased",
        "mod_erased",
        "comment_erased",
        "mod_standing",  # says "erased", nothing else
        "export_erased",
        "search_state",
        "search_owned",
        "notif_video_owner",
        "notif_comment_author",
        "notif_erased",
        "notif_changes",
    }
)
