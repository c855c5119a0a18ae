"""A whole write side on temporary SQLite files, driven through the real HTTP app."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import ROUTERS
from api.state import AppState
from commands import accounts as account_handlers
from commands import streams
from commands.aggregates import ACCOUNT, VIDEO
from commands.context import FixedRules, Ports, Request
from commands.handling import execute
from commands.sessions import Granted, start_session
from domain import accounts, videos
from domain.access import Visibility
from domain.actors import Actor, Role
from domain.moderation.friction import NO_LIMITS, DailyLimits
from domain.screening import NO_RULES, SCREENER, Findings, Policy, Rules
from domain.videos.rules import PIPELINE
from eventstore.codec import EventCodec
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from migrations.runner import apply_pending
from projections.models import profiles, video_details
from projections.projector import Projector
from projections.rebuild import live_or_first
from projections.runner import Runner
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore

SECRET = "test-secret-" + "x9Yq2LmZ" * 5


@dataclasses.dataclass(frozen=True)
class User:
    """A person with an account, signed in: ``token`` is the access token of a real session."""

    user_id: str
    handle: str
    token: str
    session_id: str = ""
    refresh_token: str = ""

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class System:
    def __init__(
        self, tmp: Path, *, screening: Rules = NO_RULES, limits: DailyLimits = NO_LIMITS, **app_options: Any
    ) -> None:
        """``screening``: the policy and watched words the write side screens with; ``limits``: the
        daily limits of uploads, comments, follows and reports (none unless given)."""
        self.keys = SQLiteKeyStore(tmp / "keys.db")
        self.store = SQLiteEventStore(tmp / "events.db")
        codec, rules = EventCodec(Sealer(self.keys)), FixedRules(screening)
        self.ports = Ports(store=self.store, codec=codec, keys=self.keys, screening=rules, limits=limits)
        # Tests change the store between reads: nothing is kept across requests unless asked for.
        options = {"write_rate_per_s": 1000.0, "write_burst": 1000, "shared_reads_ttl_s": 0.0, **app_options}
        self.app = create_app(self.ports, secret=SECRET, routers=ROUTERS, **options)
        self.client = TestClient(self.app, raise_server_exceptions=True)
        self._owned: list[ReadStore] = []

    @classmethod
    def with_read_side(cls, tmp: Path, **app_options: Any) -> System:
        """A system whose API also serves queries, from a migrated SQLite read store of its own."""
        read_store = SQLiteReadStore(tmp / "read.db")
        apply_pending(read_store)
        system = cls(tmp, read_store=read_store, **app_options)
        system._owned.append(read_store)
        return system

    @property
    def read_store(self) -> ReadStore:
        store = self.state.read_store
        assert store is not None, "this system serves no queries: use System.with_read_side"
        return store

    def project(self, *projectors: Projector) -> None:
        """Runs each projector's live build until it has seen the whole log, and the ones the
        access policy reads (video cards, blocks, follows), which every query route asks."""
        names = {p.name for p in projectors}
        policy = [p for p in (video_details.PROJECTOR, profiles.PROJECTOR) if p.name not in names]
        for projector in (*projectors, *policy):
            build = live_or_first(self.read_store, projector)
            Runner(
                projector, events=self.store, codec=self.ports.codec, store=self.read_store, build=build
            ).run(until=self.store.head_position())

    @property
    def state(self) -> AppState:
        state: AppState = self.app.state.strom
        return state

    def token_for(self, user_id: str, role: Role = Role.USER) -> str:
        """The access token of a new session of an existing account, which first gets ``role``
        (granted as the operator does it, which ends the sessions it had if the role changes)."""
        return self.sign_in(user_id, role).token

    def sign_in(self, user_id: str, role: Role = Role.USER) -> User:
        """A new session of an existing account, started as a log-in does once the password was
        verified (without argon2, so tests can sign many people in)."""
        if self.account(user_id).role is not role:
            account_handlers.grant_role(user_id, role, ports=self.ports)
        granted = self.start_session(user_id)
        return User(
            user_id=user_id,
            handle=self.account(user_id).handle or "",
            token=self.access_token(granted),
            session_id=granted.session_id,
            refresh_token=granted.refresh_token,
        )

    def start_session(self, user_id: str) -> Granted:
        anonymous = Request(account_handlers.ANONYMOUS)
        return start_session(
            user_id, verified=lambda _: True, ports=self.ports, request=anonymous, config=self.state.sessions
        )

    def access_token(self, granted: Granted) -> str:
        return self.state.tokens.issue(granted.actor, granted.session_id)

    def account(self, user_id: str) -> accounts.State:
        """The account as its stream says now (what the session gate judges requests by)."""
        return self.state.gate.account(user_id)

    def anonymous_user(self, role: Role = Role.USER) -> User:
        """A signed-in user whose account is recorded straight on its stream: no handle or email
        claims and no password that works, so no argon2. Enough for routes that need a signed-in
        person but not how they registered."""
        user_id, handle = str(uuid7()), f"a{uuid7().hex[-12:]}"
        cmd = accounts.RegisterUser(user_id, handle, f"{handle}@example.com", "no-password", handle.title())
        as_them, stream = Request(Actor(user_id)), streams.user(user_id)
        execute(self.ports, as_them, stream, ACCOUNT, lambda s: accounts.decide_register(s, cmd))
        return self.sign_in(user_id, role)

    def register(self, handle: str | None = None, role: Role = Role.USER) -> User:
        """Registers through the API, is granted the role given (as the operator does it), and
        signs in."""
        handle = handle or f"u{uuid7().hex[-10:]}"
        body = {
            "handle": handle,
            "email": f"{handle}@example.com",
            "password": "correct horse battery",
            "display_name": handle.title(),
        }
        response = self.client.post("/v1/accounts", json=body)
        assert response.status_code == 201, response.text
        return self.sign_in(response.json()["user_id"], role)

    def processed_video(self, owner: User) -> str:
        """A video that went through upload and processing, ready for its owner to publish."""
        video_id = str(uuid7())
        owner_actor = Actor(owner.user_id)
        steps: list[tuple[Actor, Callable[[videos.State], list[Any]]]] = [
            (owner_actor, lambda s: videos.decide_create_draft(s, videos.CreateDraft(owner_actor, video_id))),
            (
                owner_actor,
                lambda s: videos.decide_complete_upload(
                    s, videos.CompleteUpload(owner_actor, video_id, "up-1", 1_000_000, 15_000, 1080, 1920)
                ),
            ),
            (
                PIPELINE,
                lambda s: videos.decide_start_processing(
                    s, videos.StartProcessing(PIPELINE, video_id, upload_id="up-1")
                ),
            ),
            (
                PIPELINE,
                lambda s: videos.decide_complete_processing(
                    s,
                    videos.CompleteProcessing(
                        PIPELINE,
                        video_id,
                        ["240p", "720p"],
                        f"{video_id}/master.m3u8",
                        f"{video_id}/poster.jpg",
                        upload_id="up-1",
                    ),
                ),
            ),
            (SCREENER, lambda s: videos.decide_record_screening(s, screened_clean(video_id, "up-1"))),
        ]
        for actor, decide in steps:
            execute(self.ports, Request(actor), streams.video(video_id), VIDEO, decide)
        return video_id

    def published_video(
        self,
        owner: User,
        *,
        visibility: Visibility = Visibility.PUBLIC,
        comments_allowed: bool = True,
        caption: str = "a clip #demo",
    ) -> str:
        video_id = self.processed_video(owner)
        cmd = videos.PublishVideo(Actor(owner.user_id), video_id, caption, [], visibility, comments_allowed)
        outcome = execute(
            self.ports,
            Request(cmd.actor),
            streams.video(video_id),
            VIDEO,
            lambda s: videos.decide_publish_video(s, cmd),
        )
        assert outcome.appended == 1
        return video_id

    def close(self) -> None:
        self.client.close()
        self.store.close()
        self.keys.close()
        for store in self._owned:
            store.close()


def screened_clean(video_id: str, upload_id: str) -> videos.RecordScreening:
    """Screening found nothing in the upload: its owner may publish it."""
    return videos.RecordScreening(SCREENER, video_id, upload_id, Policy(), "test", Findings(nsfw_score=0.0))
