"""Commands keep their streams' folded state, so a command reads only the events after it.

A like toggled a thousand times must cost what the first did; and the state a command decides on
must still be the whole stream's: events other writers appended are folded in, a conflict starts
afresh, and personal data whose key was erased reads as erased.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands import streams
from commands.aggregates import ACCOUNT, COMMENT, VIDEO_LIKE
from commands.context import Outcome, Ports, Request
from commands.folds import FoldCache, Loaded
from commands.handling import append, execute, load
from commands.sessions import SessionConfig, refresh_session, start_session
from domain.actors import Actor
from domain.engagement import likes
from domain.engagement.comments import CommentPosted
from eventstore.codec import EventCodec
from eventstore.envelope import RecordedEvent, StreamState
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from tests.unit.test_session_gate import registered

USER, VIDEO = "u-1", "v-1"


class SpyStore(SQLiteEventStore):
    """Records every stream read: where it started and how many events it returned. ``before_append``
    runs once before the next append, as another process's append landing in between would."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, sync="normal")
        self.reads: list[tuple[str, int | None, int]] = []
        self.before_append: list[Any] = []

    def read_stream(self, stream: str, **options: Any) -> list[RecordedEvent]:
        records = super().read_stream(stream, **options)
        self.reads.append((stream, options.get("from_version"), len(records)))
        return records

    def append(self, stream: str, events: Any, expected: Any) -> Any:
        while self.before_append:
            self.before_append.pop()()
        return super().append(stream, events, expected)


def ports_on(folder: Path, *, capacity: int = 1000) -> Ports:
    keys = SQLiteKeyStore(folder / "keys.db")
    return Ports(
        store=SpyStore(folder / "events.db"),
        codec=EventCodec(Sealer(keys)),
        keys=keys,
        folds=FoldCache(capacity),
    )


def close(ports: Ports) -> None:
    ports.store.close()
    ports.keys.close()


@pytest.fixture
def ports(tmp_path: Path) -> Iterator[Ports]:
    p = ports_on(tmp_path)
    yield p
    close(p)


@pytest.fixture
def elsewhere(tmp_path: Path) -> Iterator[Ports]:
    """Another process on the same files: its own connections and its own cache."""
    p = ports_on(tmp_path)
    yield p
    close(p)


def spy(ports: Ports) -> SpyStore:
    assert isinstance(ports.store, SpyStore)
    return ports.store


def toggle(ports: Ports, stream: str, *, like: bool) -> Outcome:
    """Like or unlike; a like of a liked video (or an unlike of an unliked one) records nothing."""

    def decide(state: likes.State) -> list[likes.Event]:
        if like and not state.liked:
            return [likes.VideoLiked(user_id=USER, video_id=VIDEO)]
        if not like and state.liked:
            return [likes.VideoUnliked(user_id=USER, video_id=VIDEO)]
        return []

    return execute(ports, Request(Actor(USER)), stream, VIDEO_LIKE, decide)


def uncached(ports: Ports, stream: str) -> Loaded[likes.State]:
    return load(
        Ports(store=ports.store, codec=ports.codec, keys=ports.keys, folds=FoldCache(0)), stream, VIDEO_LIKE
    )


def uncached_account(ports: Ports, user_id: str) -> Loaded[Any]:
    return load(
        Ports(store=ports.store, codec=ports.codec, keys=ports.keys, folds=FoldCache(0)),
        streams.user(user_id),
        ACCOUNT,
    )


def a_stream() -> str:
    return streams.video_like(USER, f"v-{uuid.uuid4().hex}")


def types_of(ports: Ports, stream: str) -> list[str]:
    return [e.type for e in ports.store.read_stream(stream)]


# -- the cost -----------------------------------------------------------------------------------


def test_a_command_reads_only_the_events_after_the_cached_version(ports: Ports, elsewhere: Ports) -> None:
    # Given a stream toggled many times, and one more toggle from another process
    stream = a_stream()
    for i in range(40):
        toggle(ports, stream, like=i % 2 == 0)
    toggle(elsewhere, stream, like=True)
    spy(ports).reads.clear()

    # When one more command runs here
    toggle(ports, stream, like=False)

    # Then it read from the revision after the cached one, and found only the other process's event
    assert spy(ports).reads == [(stream, 40, 1)]
    assert types_of(ports, stream)[-3:] == ["VideoUnliked", "VideoLiked", "VideoUnliked"]


def test_a_command_reads_no_event_its_own_process_wrote(ports: Ports) -> None:
    # Given a stream toggled many times by this process
    stream = a_stream()
    for i in range(40):
        toggle(ports, stream, like=i % 2 == 0)
    spy(ports).reads.clear()

    # When one more command runs
    toggle(ports, stream, like=True)

    # Then it read no event: the state the previous command kept after its append is current
    assert spy(ports).reads == []
    assert types_of(ports, stream)[-2:] == ["VideoUnliked", "VideoLiked"]
    assert load(ports, stream, VIDEO_LIKE) == uncached(ports, stream)


def test_a_command_on_a_long_stream_reads_as_little_as_on_a_short_one(ports: Ports, elsewhere: Ports) -> None:
    short, long = a_stream(), a_stream()
    for i in range(200):
        toggle(ports, long, like=i % 2 == 0)
    toggle(ports, short, like=True)
    toggle(ports, short, like=False)
    toggle(elsewhere, short, like=True)
    toggle(elsewhere, long, like=True)
    spy(ports).reads.clear()

    toggle(ports, short, like=False)
    toggle(ports, long, like=False)

    assert [read[2] for read in spy(ports).reads] == [1, 1]


def test_session_refreshes_read_only_what_the_account_stream_gained(ports: Ports) -> None:
    # Given an account whose stream grew with many refreshes
    config = SessionConfig(b"k" * 32, timedelta(days=30), clock=lambda: datetime(2025, 3, 1, tzinfo=UTC))
    user_id = registered(ports)
    anonymous = Request(Actor("anonymous"))
    token = start_session(user_id, verified=lambda _: True, ports=ports, request=anonymous, config=config)
    for _ in range(30):
        token = refresh_session(token.refresh_token, ports=ports, request=anonymous, config=config)
    spy(ports).reads.clear()

    # When it refreshes once more
    refresh_session(token.refresh_token, ports=ports, request=anonymous, config=config)

    # Then no event was read: all it gained were this process's refreshes, whose state each kept
    assert spy(ports).reads == []
    assert load(ports, streams.user(user_id), ACCOUNT) == uncached_account(ports, user_id)


# -- never state that skips events ----------------------------------------------------------------


def test_events_another_process_appended_are_folded_in(ports: Ports, elsewhere: Ports) -> None:
    # Given a state this process cached: liked
    stream = a_stream()
    toggle(ports, stream, like=True)
    assert load(ports, stream, VIDEO_LIKE).state.liked

    # When another process unlikes
    toggle(elsewhere, stream, like=False)

    # Then this process sees it unliked, so its like records a new like
    toggle(ports, stream, like=True)
    assert types_of(ports, stream) == ["VideoLiked", "VideoUnliked", "VideoLiked"]
    assert load(ports, stream, VIDEO_LIKE) == uncached(ports, stream)


def test_a_conflict_drops_the_cached_state_and_decides_again_from_the_whole_stream(
    ports: Ports, elsewhere: Ports
) -> None:
    # Given a cached state (unliked) and another process whose like lands between our read and append
    stream = a_stream()
    toggle(ports, stream, like=True)
    toggle(ports, stream, like=False)
    liked = likes.VideoLiked(user_id=USER, video_id=VIDEO)
    spy(ports).before_append.append(lambda: append(elsewhere, Request(Actor(USER)), stream, [liked], 1))
    spy(ports).reads.clear()

    # When this process likes
    toggle(ports, stream, like=True)

    # Then its first append conflicted (deciding on the state its last command kept, reading nothing),
    # it folded the stream from its start, and recorded no second like
    assert [from_version for _, from_version, _ in spy(ports).reads] == [0]
    assert types_of(ports, stream) == ["VideoLiked", "VideoUnliked", "VideoLiked"]
    assert load(ports, stream, VIDEO_LIKE) == uncached(ports, stream)


def test_a_keyed_retry_is_recognised_by_the_store_whatever_the_cache_holds(ports: Ports) -> None:
    # Given a keyed like that landed, and a cache that folded it
    stream = a_stream()
    keyed = Request(Actor(USER), idempotency_key="like-1")

    def always_like(_: likes.State) -> list[likes.Event]:
        """A retry decides again, on a state that already holds its own first attempt."""
        return [likes.VideoLiked(user_id=USER, video_id=VIDEO)]

    first = execute(ports, keyed, stream, VIDEO_LIKE, always_like)
    assert load(ports, stream, VIDEO_LIKE).state.liked

    # When the same request is retried with the same key
    again = execute(ports, keyed, stream, VIDEO_LIKE, always_like)

    # Then the store recognised it: one event, the same position
    assert types_of(ports, stream) == ["VideoLiked"]
    assert again.position == first.position


def test_personal_data_whose_key_was_erased_reads_as_erased(ports: Ports) -> None:
    # Given a comment folded with its text
    stream, author = streams.comment("c-1"), "author-1"
    posted = CommentPosted(comment_id="c-1", video_id="v-1", author_id=author, text="hello")
    append(ports, Request(Actor(author)), stream, [posted], None)
    assert load(ports, stream, COMMENT).state.text == "hello"

    # When the author's key is erased (no event lands on the comment's stream)
    ports.keys.erase(author)

    # Then the next load folds afresh: the text is gone, and stays cheap to ask for (no event read)
    assert load(ports, stream, COMMENT).state.text is None
    spy(ports).reads.clear()
    assert load(ports, stream, COMMENT).state.text is None
    assert spy(ports).reads == []


def test_the_state_a_command_kept_forgets_personal_data_once_its_key_is_erased(ports: Ports) -> None:
    # Given a comment posted through the handlers, whose state (with its text) was kept after the append
    stream, author = streams.comment("c-2"), "author-2"
    posted = CommentPosted(comment_id="c-2", video_id="v-1", author_id=author, text="hello")
    execute(ports, Request(Actor(author)), stream, COMMENT, lambda state: [posted])
    spy(ports).reads.clear()
    assert load(ports, stream, COMMENT).state.text == "hello"
    assert spy(ports).reads == []

    # When the author's key is erased
    ports.keys.erase(author)

    # Then the kept state is not served: the stream is folded afresh and the text reads as erased
    assert load(ports, stream, COMMENT).state.text is None
    assert spy(ports).reads == [(stream, 0, 1)]


def test_a_stream_appended_outside_the_handlers_is_read_from_where_the_cache_left_off(ports: Ports) -> None:
    stream = a_stream()
    toggle(ports, stream, like=True)
    load(ports, stream, VIDEO_LIKE)
    ports.store.append(stream, [ports.codec.encode(likes.VideoUnliked(user_id=USER, video_id=VIDEO))], 0)

    assert not load(ports, stream, VIDEO_LIKE).state.liked


# -- the cache itself ------------------------------------------------------------------------------


def test_the_cache_keeps_at_most_its_capacity_least_recently_used_first() -> None:
    cache = FoldCache(2)
    for name in ("a", "b"):
        cache.keep(name, VIDEO_LIKE, Loaded(likes.initial, 0, 1))
    assert cache.get("a", VIDEO_LIKE) is not None  # "b" is now the least recently used
    cache.keep("c", VIDEO_LIKE, Loaded(likes.initial, 0, 1))
    assert len(cache) == 2
    assert cache.get("b", VIDEO_LIKE) is None
    assert cache.get("a", VIDEO_LIKE) is not None


def test_the_further_state_stays_when_two_threads_fold_the_same_stream() -> None:
    cache = FoldCache()
    cache.keep("a", VIDEO_LIKE, Loaded(likes.State(liked=True), 5, 10))
    cache.keep("a", VIDEO_LIKE, Loaded(likes.initial, 3, 7))
    assert cache.get("a", VIDEO_LIKE) == Loaded(likes.State(liked=True), 5, 10)


def test_a_state_folded_by_another_aggregate_is_not_served() -> None:
    cache = FoldCache()
    cache.keep("a", VIDEO_LIKE, Loaded(likes.initial, 0, 1))
    assert cache.get("a", COMMENT) is None


def test_a_cache_of_capacity_zero_keeps_nothing() -> None:
    cache = FoldCache(0)
    cache.keep("a", VIDEO_LIKE, Loaded(likes.initial, 0, 1))
    assert cache.get("a", VIDEO_LIKE) is None


# -- the property ----------------------------------------------------------------------------------

STEPS = st.lists(
    st.tuples(st.sampled_from(["here", "elsewhere", "raw"]), st.booleans()), min_size=1, max_size=30
)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ports, Ports]]:
    folder = tmp_path_factory.mktemp("folds")
    here, elsewhere = ports_on(folder, capacity=8), ports_on(folder, capacity=8)
    yield here, elsewhere
    close(here)
    close(elsewhere)


@settings(max_examples=60, deadline=None)
@given(steps=STEPS)
def test_cached_loads_equal_the_uncached_fold_whoever_appends(
    two_processes: tuple[Ports, Ports], steps: list[tuple[str, bool]]
) -> None:
    here, elsewhere = two_processes
    stream = a_stream()
    for who, like in steps:
        if who == "raw":  # an append that bypasses every handler and cache
            event: likes.Event = (
                likes.VideoLiked(user_id=USER, video_id=VIDEO)
                if like
                else likes.VideoUnliked(user_id=USER, video_id=VIDEO)
            )
            here.store.append(stream, [here.codec.encode(event)], StreamState.ANY)
        else:
            toggle(here if who == "here" else elsewhere, stream, like=like)
        truth = uncached(here, stream)
        assert load(here, stream, VIDEO_LIKE) == truth
        assert load(elsewhere, stream, VIDEO_LIKE) == truth
