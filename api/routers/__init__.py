"""One router per resource; the app factory mounts them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import (
    accounts,
    activity,
    audit,
    avatars,
    captions,
    comment_threads,
    covers,
    engagement,
    erasures,
    exports,
    following_feed,
    for_you,
    health,
    media,
    moderation,
    moderation_actions,
    moderation_content,
    notices,
    notifications,
    profiles,
    reports,
    scheduled,
    search,
    social,
    transparency,
    trending,
    uploads,
    video_details,
    video_stats,
    videos,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    accounts.router,
    avatars.router,
    exports.router,
    erasures.router,
    videos.router,
    covers.router,
    captions.router,
    scheduled.router,
    uploads.router,
    video_stats.router,
    video_details.router,
    media.router,
    social.router,
    search.router,
    profiles.router,
    engagement.router,
    comment_threads.router,
    trending.router,
    following_feed.router,
    for_you.router,
    activity.router,
    reports.router,
    moderation.router,
    moderation_actions.router,
    moderation_content.router,
    notices.router,
    notifications.router,
    transparency.router,
    audit.router,
)

#: The busiest routes, matched before the others (``create_app``'s ``matched_first``). None of their
#: paths is another route's (``tests/integration/api/test_route_order.py``), so no answer changes.
MATCHED_FIRST: tuple[APIRouter, ...] = (following_feed.router, engagement.router)
