"""Videos through HTTP: the owner's life of a video, moderation, pinning, and what is refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from commands import aggregates, streams
from commands import videos as handlers
from commands.aggregates import COMMENT
from commands.context import Request
from commands.handling import execute, load
from commands.screening import record_screening
from domain import videos
from domain.actors import Actor, Role
from domain.engagement import comments
from domain.errors import NotAllowed
from domain.events import DomainEvent
from domain.screening import SCREENER
from domain.videos.rules import PIPELINE
from eventstore.ids import uuid7
from tests.integration.api.harness import System, User, screened_clean

DETAILS: dict[str, Any] = {
    "caption": "first try #Skate",
    "hashtags": ["park"],
    "visibility": "public",
    "comments_allowed": True,
}
TWENTY_TAGS = " ".join(f"#c{i}" for i in range(20))


def video_events(system: System, video_id: str) -> list[DomainEvent]:
    records = system.store.read_stream(streams.video(video_id))
    return [system.ports.codec.decode(record).event for record in records]


def event_types(system: System, video_id: str) -> list[str]:
    return [type(event).__name__ for event in video_events(system, video_id)]


def process(system: System, video_id: str, owner: User) -> None:
    """What the media workers will do: upload, then processing reported by the pipeline."""
    as_owner, as_pipeline = Request(Actor(owner.user_id)), Request(PIPELINE)
    upload = videos.CompleteUpload(Actor(owner.user_id), video_id, "up-1", 2_000_000, 12_000, 720, 1280)
    handlers.complete_upload(upload, ports=system.ports, request=as_owner)
    handlers.start_processing(
        videos.StartProcessing(PIPELINE, video_id, upload_id="up-1"), ports=system.ports, request=as_pipeline
    )
    for percent in (40, 40, 10):  # reports arrive at least once, and late
        progress = videos.ReportProcessingProgress(PIPELINE, video_id, percent, upload_id="up-1")
        handlers.report_processing_progress(progress, ports=system.ports, request=as_pipeline)
    done = videos.CompleteProcessing(
        PIPELINE, video_id, ["240p"], f"{video_id}/m.m3u8", f"{video_id}/p.jpg", upload_id="up-1"
    )
    handlers.complete_processing(done, ports=system.ports, request=as_pipeline)
    record_screening(screened_clean(video_id, "up-1"), ports=system.ports, request=Request(SCREENER))


def on_comment(
    system: System,
    actor: Actor,
    comment_id: str,
    decide: Callable[[comments.State], Sequence[comments.Event]],
) -> None:
    """Comment routes belong to another router: comments are written through the domain."""
    execute(system.ports, Request(actor), streams.comment(comment_id), COMMENT, decide)


def post_comment(system: System, author: User, video_id: str) -> str:
    comment_id, actor = str(uuid7()), Actor(author.user_id)
    video = videos.access(load(system.ports, streams.video(video_id), aggregates.VIDEO).state)
    cmd = comments.PostComment(actor, comment_id, video_id, "nice one")
    on_comment(
        system,
        actor,
        comment_id,
        lambda s: comments.decide_post_comment(s, cmd, video=video, follows_owner=False, blocked=False),
    )
    return comment_id


def assert_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


# -- the owner's life of a video -------------------------------------------------------------------


def test_a_draft_is_processed_published_edited_unpublished_and_deleted(system: System) -> None:
    # Given a draft created through the API and processed by the pipeline
    owner = system.anonymous_user()
    created = system.client.post("/v1/videos", headers=owner.auth)
    assert created.status_code == 201, created.text
    video_id = created.json()["video_id"]
    process(system, video_id, owner)
    url = f"/v1/videos/{video_id}"
    # When the owner publishes, edits, edits the same again, unpublishes and deletes it
    published = system.client.post(f"{url}/publish", json=DETAILS, headers=owner.auth)
    edited = system.client.put(url, json={**DETAILS, "visibility": "followers"}, headers=owner.auth)
    same = system.client.put(url, json={**DETAILS, "visibility": "followers"}, headers=owner.auth)
    unpublished = system.client.post(f"{url}/unpublish", headers=owner.auth)
    deleted = system.client.delete(url, headers=owner.auth)
    # Then each answer says where it stands, and the stream tells the whole story once
    assert published.json()["published"] is True
    assert edited.status_code == same.status_code == 200
    assert same.json()["position"] == edited.json()["position"]
    assert unpublished.json()["published"] is False
    assert deleted.json()["deleted"] is True
    assert deleted.json()["position"] > unpublished.json()["position"] > edited.json()["position"]
    kinds = event_types(system, video_id)
    assert kinds[:2] == ["VideoDraftCreated", "VideoUploadCompleted"]
    assert kinds[2:5] == ["VideoProcessingStarted", "VideoProcessingProgressed", "VideoProcessingSucceeded"]
    assert kinds[5:] == ["VideoScreened", "VideoPublished", "VideoEdited", "VideoUnpublished", "VideoDeleted"]
    publish_event = video_events(system, video_id)[6]
    assert isinstance(publish_event, videos.VideoPublished)
    assert publish_event.hashtags == ["park", "skate"]
    assert publish_event.owner_id == owner.user_id


def owner_only_calls(system: System, video_id: str, user: User | None) -> list[Any]:
    headers = user.auth if user else {}
    url = f"/v1/videos/{video_id}"
    return [
        system.client.post(f"{url}/publish", json=DETAILS, headers=headers),
        system.client.put(url, json=DETAILS, headers=headers),
        system.client.post(f"{url}/unpublish", headers=headers),
        system.client.delete(url, headers=headers),
        system.client.put(f"{url}/pin", json={"comment_id": str(uuid7())}, headers=headers),
        system.client.delete(f"{url}/pin", headers=headers),
    ]


def test_a_deleted_video_accepts_nothing(system: System) -> None:
    # Given a deleted video that had been published
    owner = system.anonymous_user()
    video_id = system.published_video(owner)
    url = f"/v1/videos/{video_id}"
    assert system.client.delete(url, headers=owner.auth).status_code == 200
    mod = system.anonymous_user(Role.MODERATOR)
    # When anything is asked of it, Then it is a conflict
    attempts = [
        *owner_only_calls(system, video_id, owner),
        system.client.post(f"{url}/hide", json={"reason": "spam"}, headers=mod.auth),
        system.client.post(f"{url}/restore", json={"reason": "ok"}, headers=mod.auth),
    ]
    for response in attempts:
        assert_problem(response, 409)
    assert event_types(system, video_id)[-1] == "VideoDeleted"


def test_publishing_needs_a_video_that_exists_and_was_processed(system: System) -> None:
    owner = system.anonymous_user()
    video_id = system.client.post("/v1/videos", json={}, headers=owner.auth).json()["video_id"]
    response = system.client.post(f"/v1/videos/{video_id}/publish", json=DETAILS, headers=owner.auth)
    assert_problem(response, 409)
    assert "no upload yet" in response.json()["detail"]
    unknown = system.client.post(f"/v1/videos/{uuid7()}/publish", json=DETAILS, headers=owner.auth)
    assert_problem(unknown, 404)


def test_publishing_twice_asks_for_an_edit_and_an_unpublished_video_cannot_be_edited(system: System) -> None:
    owner = system.anonymous_user()
    video_id = system.published_video(owner)
    url = f"/v1/videos/{video_id}"
    assert_problem(system.client.post(f"{url}/publish", json=DETAILS, headers=owner.auth), 409)
    system.client.post(f"{url}/unpublish", headers=owner.auth)
    assert_problem(system.client.put(url, json=DETAILS, headers=owner.auth), 409)
    assert_problem(system.client.post(f"{url}/unpublish", headers=owner.auth), 409)
    republished = system.client.post(f"{url}/publish", json=DETAILS, headers=owner.auth)
    assert republished.json()["published"] is True


# -- who may act -----------------------------------------------------------------------------------


def test_only_the_owner_publishes_edits_unpublishes_deletes_and_pins(system: System) -> None:
    # Given a processed and a published video of one owner
    owner, stranger = system.anonymous_user(), system.anonymous_user()
    processed, published = system.processed_video(owner), system.published_video(owner)
    # When someone else, a moderator, or nobody signed in tries, Then to the first two there is no
    # such video
    for video_id in (processed, published):
        for response in owner_only_calls(system, video_id, stranger):
            assert_problem(response, 404)
            assert response.json()["detail"] == "video not found"
        for response in owner_only_calls(system, video_id, system.anonymous_user(Role.MODERATOR)):
            assert_problem(response, 404)
        for response in owner_only_calls(system, video_id, None):
            assert_problem(response, 401)
            assert response.headers["www-authenticate"] == "Bearer"
    # Then nothing was recorded
    assert event_types(system, published)[-1] == "VideoPublished"
    assert event_types(system, processed)[-1] == "VideoScreened"
    assert_problem(system.client.post("/v1/videos"), 401)


def test_moderators_hide_and_restore_and_users_cannot(system: System) -> None:
    # Given a published video
    owner, viewer, mod = (
        system.anonymous_user(),
        system.anonymous_user(),
        system.anonymous_user(Role.MODERATOR),
    )
    video_id = system.published_video(owner)
    url = f"/v1/videos/{video_id}"
    # When users try, the owner included, Then they are forbidden
    for user in (owner, viewer):
        assert_problem(system.client.post(f"{url}/hide", json={"reason": "spam"}, headers=user.auth), 403)
    # When a moderator hides it twice, and restores it twice
    hidden = system.client.post(f"{url}/hide", json={"reason": "spam"}, headers=mod.auth)
    again = system.client.post(f"{url}/hide", json={"reason": "spam"}, headers=mod.auth)
    by_owner = system.client.post(f"{url}/restore", json={"reason": "mine"}, headers=owner.auth)
    restored = system.client.post(f"{url}/restore", json={"reason": "appeal upheld"}, headers=mod.auth)
    twice = system.client.post(f"{url}/restore", json={"reason": "appeal upheld"}, headers=mod.auth)
    # Then
    assert hidden.json()["hidden"] is True
    assert restored.json()["hidden"] is False
    assert_problem(again, 409)
    assert_problem(by_owner, 403)
    assert_problem(twice, 409)
    hide_event = video_events(system, video_id)[-2]
    assert isinstance(hide_event, videos.VideoHidden)
    assert hide_event.moderator_id == mod.user_id
    admin = system.anonymous_user(Role.ADMIN)
    assert system.client.post(f"{url}/hide", json={"reason": "spam"}, headers=admin.auth).status_code == 200


# -- pinning ---------------------------------------------------------------------------------------


def test_the_owner_pins_a_comment_of_this_video_one_at_a_time(system: System) -> None:
    # Given a video with two comments
    owner, viewer = system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    first, second = post_comment(system, viewer, video_id), post_comment(system, owner, video_id)
    url = f"/v1/videos/{video_id}/pin"
    # When the owner pins one, the same again, then the other, and unpins twice
    pinned = system.client.put(url, json={"comment_id": first}, headers=owner.auth)
    same = system.client.put(url, json={"comment_id": first}, headers=owner.auth)
    replaced = system.client.put(url, json={"comment_id": second}, headers=owner.auth)
    unpinned = system.client.delete(url, headers=owner.auth)
    nothing = system.client.delete(url, headers=owner.auth)
    # Then
    assert pinned.json()["pinned_comment_id"] == first
    assert same.json()["position"] == pinned.json()["position"]
    assert replaced.json()["pinned_comment_id"] == second
    assert unpinned.json()["pinned_comment_id"] is None
    assert nothing.status_code == 200
    assert nothing.json()["position"] == unpinned.json()["position"]
    pins = [(type(e).__name__, getattr(e, "comment_id", None)) for e in video_events(system, video_id)[-4:]]
    assert pins == [
        ("CommentPinned", first),
        ("CommentUnpinned", first),
        ("CommentPinned", second),
        ("CommentUnpinned", second),
    ]


def test_a_comment_of_another_video_or_none_at_all_cannot_be_pinned(system: System) -> None:
    # Given a comment on another video of the same owner
    owner, viewer = system.anonymous_user(), system.anonymous_user()
    video_id, other = system.published_video(owner), system.published_video(owner)
    elsewhere = post_comment(system, viewer, other)
    url = f"/v1/videos/{video_id}/pin"
    # When the owner pins it, or a comment never posted, Then neither is found
    assert_problem(system.client.put(url, json={"comment_id": elsewhere}, headers=owner.auth), 404)
    assert_problem(system.client.put(url, json={"comment_id": str(uuid7())}, headers=owner.auth), 404)
    assert event_types(system, video_id)[-1] == "VideoPublished"


def test_a_deleted_comment_cannot_be_pinned(system: System) -> None:
    owner, viewer = system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    comment_id = post_comment(system, viewer, video_id)
    delete = comments.DeleteComment(Actor(viewer.user_id), comment_id)
    video = videos.access(load(system.ports, streams.video(video_id), aggregates.VIDEO).state)
    on_comment(
        system, delete.actor, comment_id, lambda s: comments.decide_delete_comment(s, delete, video=video)
    )
    response = system.client.put(
        f"/v1/videos/{video_id}/pin", json={"comment_id": comment_id}, headers=owner.auth
    )
    assert_problem(response, 409)


# -- what is refused before it reaches the domain, and text kept as typed ---------------------------


@pytest.mark.parametrize(
    "body",
    [
        {**DETAILS, "visibility": "secret"},
        {**DETAILS, "hashtags": [f"tag{i}" for i in range(31)]},
        {**DETAILS, "hashtags": ["two words"]},
        {**DETAILS, "caption": "x" * 2201},
        {**DETAILS, "caption": 42},
        {**DETAILS, "comments_allowed": "yes"},
        {**DETAILS, "owner_id": "someone-else"},
        {**DETAILS, "caption": TWENTY_TAGS, "hashtags": [f"t{i}" for i in range(11)]},  # 31 in all
        {**DETAILS, "caption": "bell\x07"},
        [DETAILS],
    ],
)
def test_invalid_details_are_refused_and_nothing_is_stored(system: System, body: Any) -> None:
    owner = system.anonymous_user()
    video_id = system.processed_video(owner)
    response = system.client.post(f"/v1/videos/{video_id}/publish", json=body, headers=owner.auth)
    assert_problem(response, 422)
    assert event_types(system, video_id)[-1] == "VideoScreened"


@pytest.mark.parametrize("video_id", ["not-a-uuid", "1", "01A20A86-7F96-79EB-96F9-E8357EA751F4", "x" * 36])
def test_a_malformed_video_id_in_the_path_is_refused(system: System, video_id: str) -> None:
    owner = system.anonymous_user()
    for response in (
        system.client.post(f"/v1/videos/{video_id}/publish", json=DETAILS, headers=owner.auth),
        system.client.delete(f"/v1/videos/{video_id}", headers=owner.auth),
        system.client.put(f"/v1/videos/{video_id}/pin", json={"comment_id": "nope"}, headers=owner.auth),
    ):
        assert_problem(response, 422)


def test_an_edit_names_every_detail_moderation_a_reason_and_a_pin_a_comment_id(system: System) -> None:
    owner, mod = system.anonymous_user(), system.anonymous_user(Role.MODERATOR)
    video_id = system.published_video(owner)
    url = f"/v1/videos/{video_id}"
    assert_problem(system.client.post(f"{url}/hide", json={}, headers=mod.auth), 422)
    assert_problem(system.client.post(f"{url}/hide", json={"reason": ""}, headers=mod.auth), 422)
    assert_problem(system.client.post(f"{url}/hide", json={"reason": "r" * 501}, headers=mod.auth), 422)
    assert_problem(system.client.put(f"{url}/pin", json={"comment_id": "c1"}, headers=owner.auth), 422)
    assert_problem(system.client.put(url, json={"caption": "only this"}, headers=owner.auth), 422)


def test_sql_and_html_in_a_caption_are_stored_sealed_and_read_back_as_typed(system: System) -> None:
    # Given a caption that would hurt if it were ever interpreted
    owner = system.anonymous_user()
    video_id = system.processed_video(owner)
    caption = '\'); DROP TABLE events;-- <script>alert("x")</script> <b>&amp;</b> &#39; 1=1 ünïcode 🎬'
    # When it is published
    response = system.client.post(
        f"/v1/videos/{video_id}/publish", json={**DETAILS, "caption": caption}, headers=owner.auth
    )
    # Then it decodes exactly as sent, and the stored record does not hold it in the clear
    assert response.status_code == 200, response.text
    record = system.store.read_stream(streams.video(video_id))[-1]
    event = system.ports.codec.decode(record).event
    assert isinstance(event, videos.VideoPublished)
    assert event.caption == caption
    assert event.hashtags == ["park"]  # "&#39;" is an entity, not a tag
    assert "DROP TABLE" not in str(record.data)


# -- idempotency -----------------------------------------------------------------------------------


def test_an_idempotency_key_creates_one_draft_however_often_sent(system: System) -> None:
    owner = system.anonymous_user()
    headers = {**owner.auth, "Idempotency-Key": "draft-1"}
    first = system.client.post("/v1/videos", headers=headers)
    again = system.client.post("/v1/videos", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert event_types(system, first.json()["video_id"]) == ["VideoDraftCreated"]
    drafts = [r for r in system.store.read_all() if r.type == "VideoDraftCreated"]
    assert len(drafts) == 1


def test_a_keyed_draft_whose_answer_was_lost_is_found_not_duplicated(system: System) -> None:
    # Given a keyed draft that landed but whose answer was never remembered
    owner = system.anonymous_user()
    request = Request(Actor(owner.user_id), idempotency_key="lost-answer")
    cmd = videos.CreateDraft(request.actor, request.new_id("video"))
    handlers.create_draft(cmd, ports=system.ports, request=request)
    # When the client retries with the same key
    response = system.client.post("/v1/videos", headers={**owner.auth, "Idempotency-Key": "lost-answer"})
    # Then it gets that draft, stored once
    assert response.status_code == 201, response.text
    assert response.json()["video_id"] == cmd.video_id
    assert event_types(system, cmd.video_id) == ["VideoDraftCreated"]


# -- the pipeline's handlers -----------------------------------------------------------------------


def test_only_the_pipeline_reports_processing_and_a_failure_can_be_retried(system: System) -> None:
    owner = system.anonymous_user()
    video_id = system.client.post("/v1/videos", headers=owner.auth).json()["video_id"]
    ports, as_pipeline = system.ports, Request(PIPELINE)
    upload = videos.CompleteUpload(Actor(owner.user_id), video_id, "up-1", 1000, 1000, 640, 360)
    handlers.complete_upload(upload, ports=ports, request=Request(upload.actor))
    forged = videos.StartProcessing(Actor(owner.user_id, Role.ADMIN), video_id, upload_id="up-1")
    with pytest.raises(NotAllowed):
        handlers.start_processing(forged, ports=ports, request=Request(forged.actor))
    handlers.start_processing(
        videos.StartProcessing(PIPELINE, video_id, upload_id="up-1"), ports=ports, request=as_pipeline
    )
    handlers.fail_processing(
        videos.FailProcessing(PIPELINE, video_id, "ffmpeg exit 1", upload_id="up-1"),
        ports=ports,
        request=as_pipeline,
    )
    handlers.start_processing(
        videos.StartProcessing(PIPELINE, video_id, upload_id="up-1"), ports=ports, request=as_pipeline
    )
    last = [name.removeprefix("VideoProcessing") for name in event_types(system, video_id)[-3:]]
    assert last == ["Started", "Failed", "Started"]
