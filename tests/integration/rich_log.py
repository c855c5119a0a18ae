"""The busy little platform of ``log_builder`` with the rest of what people and moderators do:
reports and cases, actions and appeals, labels and screening, held comments, served pages, consent,
notification settings, and erasures (the request, then the cascade's deletions of the person's
videos). For tests that need every projector to see every kind of event it handles, in an order the
domain could have recorded.

An erased person does nothing more, and nobody engages with what they left: their key is to be
shredded once the log is appended (``Rich.erased``), as the erasure command does.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

from domain.accounts.events import (
    ErasureRequested,
    PersonalisationConsentGiven,
    PersonalisationConsentWithdrawn,
)
from domain.engagement.comments import CommentHeld, CommentPosted, CommentRemoved, CommentRestored
from domain.events import DomainEvent
from domain.feeds import FeedServed
from domain.moderation.cases import CaseAssigned, CaseDismissed, CaseEscalated, CaseOpened, CaseResolved
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    AppealDecided,
    AppealFiled,
    ContentModerated,
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
)
from domain.notifications import NotificationSettingsChanged, NotificationsRead
from domain.reports import ReportFiled
from domain.videos.events import (
    DeletionReason,
    VideoDeleted,
    VideoHidden,
    VideoLabelled,
    VideoRestored,
    VideoScreened,
    VideoUnlabelled,
)
from tests.integration import log_builder as base
from tests.integration.log_builder import MODERATOR, Comment, Step

LATER = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()


@dataclasses.dataclass(frozen=True, slots=True)
class Action:
    """An adverse action a moderator took, and what a granted appeal undoes."""

    action_id: str
    action: str
    subject: str
    kind: str  # "video", "comment" or "user"
    target: str


@dataclasses.dataclass
class Rich(base.Platform):
    erased: list[str] = dataclasses.field(default_factory=list)
    cases: dict[str, tuple[str, str, str]] = dataclasses.field(
        default_factory=dict
    )  # id -> kind, target, owner
    actions: list[Action] = dataclasses.field(default_factory=list)
    appeals: dict[str, Action] = dataclasses.field(default_factory=dict)
    held: list[str] = dataclasses.field(default_factory=list)


def build(seed: int, size: int) -> tuple[list[DomainEvent], list[str]]:
    """About ``size`` events, and the people erased in them (whose keys the caller shreds)."""
    platform = Rich(random.Random(seed))
    events: list[DomainEvent] = []
    for _ in range(max(20, size // 100)):
        events += base.register(platform)
    for _ in range(max(20, size // 60)):
        events += base.publish(platform)
    steps, weights = zip(*MIX, strict=True)
    while len(events) < size:
        (step,) = platform.rng.choices(steps, weights)
        events += step(platform)
    return events, platform.erased


def _rich(p: base.Platform) -> Rich:
    assert isinstance(p, Rich)
    return p


# -- reports, cases, actions, appeals ----------------------------------------------------------------


def report(p: base.Platform) -> list[DomainEvent]:
    """A report of a video, a comment or a person; the first report of a target opens its case."""
    r = _rich(p)
    reporter, kind = r.user(), r.rng.choice(["video", "video", "comment", "user"])
    if kind == "video":
        target = r.pick(list(r.owner))
        owner = r.owner.get(target)
    elif kind == "comment":
        target = r.pick(r.live_comments)
        owner = r.comments[target].author_id if target else None
    else:
        target = owner = r.user()
    if target is None or owner is None or owner == reporter:
        return []
    report_id = r.new_id()
    reason = r.rng.choice(["spam", "nudity", "harassment", "other"])
    events: list[DomainEvent] = [ReportFiled(report_id, reporter, kind, target, owner, reason, "looks wrong")]
    case_id = f"{kind}-{target}"
    if case_id not in r.cases:
        r.cases[case_id] = (kind, target, owner)
        events.append(CaseOpened(case_id, kind, target, report_id))
    return events


def work_case(p: base.Platform) -> list[DomainEvent]:
    """A moderator takes, escalates, dismisses or acts on an open case."""
    r = _rich(p)
    case_id = r.pick(list(r.cases))
    if case_id is None:
        return []
    kind, target, owner = r.cases[case_id]
    roll = r.rng.random()
    if roll < 0.2:
        return [CaseAssigned(case_id, MODERATOR, MODERATOR)]
    if roll < 0.3:
        return [CaseEscalated(case_id, MODERATOR, "needs a second look")]
    r.cases.pop(case_id)
    if roll < 0.55 or owner in r.erased:
        return [CaseDismissed(case_id, MODERATOR, "within the rules")]
    return _act(r, case_id, kind, target, owner)


def _act(r: Rich, case_id: str, kind: str, target: str, owner: str) -> list[DomainEvent]:
    action_id, reason = r.new_id(), "against the rules"
    content: list[DomainEvent]
    if kind == "video" and target in r.listed:
        r.listed.remove(target)
        r.hidden[target] = None
        action, content = "remove_video", [VideoHidden(target, owner, MODERATOR, reason)]
    elif kind == "comment" and target in r.live_comments:
        c = r.comments[target]
        r.live_comments.remove(target)
        action = "remove_comment"
        content = [CommentRemoved(target, c.video_id, owner, MODERATOR, reason, c.parent_id)]
    else:
        return _sanction(r, case_id, owner, action_id, reason)
    r.actions.append(Action(action_id, action, owner, kind, target))
    return [
        *content,
        CaseResolved(case_id, MODERATOR, action_id, action, owner, reason),
        ContentModerated(owner, action_id, action, kind, target, MODERATOR, reason),
    ]


def _sanction(r: Rich, case_id: str, user: str, action_id: str, reason: str) -> list[DomainEvent]:
    action = r.rng.choice(["strike", "restrict", "suspend"])
    sanction: DomainEvent
    if action == "strike":
        sanction = StrikeRecorded(user, action_id, MODERATOR, reason, LATER)
    elif action == "restrict":
        sanction = RestrictionImposed(user, action_id, "comment", LATER, MODERATOR, reason)
    else:
        sanction = AccountSuspended(user, action_id, LATER, MODERATOR, reason)
    r.actions.append(Action(action_id, action, user, "user", user))
    return [sanction, CaseResolved(case_id, MODERATOR, action_id, action, user, reason)]


def appeal(p: base.Platform) -> list[DomainEvent]:
    """The subject of an action appeals it (once); a moderator decides, and a granted one is undone."""
    r = _rich(p)
    pending = r.pick(list(r.appeals))
    if pending is not None and r.rng.random() < 0.6:
        return _decide(r, pending, r.appeals.pop(pending))
    action = r.pick(r.actions)
    if action is None or action.subject in r.erased:
        return []
    r.actions.remove(action)
    appeal_id = r.new_id()
    r.appeals[appeal_id] = action
    filed = AppealFiled(
        action.subject, appeal_id, action.action_id, action.action, action.kind, action.target, "please"
    )
    return [filed]


def _decide(r: Rich, appeal_id: str, action: Action) -> list[DomainEvent]:
    if action.subject in r.erased:
        return []
    granted = r.rng.random() < 0.5
    decided = AppealDecided(action.subject, appeal_id, action.action_id, MODERATOR, granted, "looked again")
    if not granted:
        return [decided]
    return [decided, *_undo(r, action)]


def _undo(r: Rich, action: Action) -> list[DomainEvent]:
    user, reason, target = action.subject, "appeal granted", action.target
    match action.action:
        case "remove_video" if target in r.hidden:
            r.hidden.pop(target)
            r.listed.append(target)
            return [VideoRestored(target, user, MODERATOR, reason)]
        case "remove_comment" if r.comments[target].video_id in r.owner:
            c = r.comments[target]
            r.live_comments.append(target)
            return [CommentRestored(target, c.video_id, user, MODERATOR, reason, c.parent_id)]
        case "strike":
            return [StrikeRemoved(user, action.action_id, MODERATOR, reason)]
        case "restrict":
            return [RestrictionLifted(user, action.action_id, "comment", MODERATOR, reason)]
        case "suspend":
            return [AccountUnsuspended(user, action.action_id, MODERATOR, reason)]
    return []


def label(p: base.Platform) -> list[DomainEvent]:
    """Screening labels a listed video, or a moderator labels or unlabels it."""
    video_id = p.pick(p.listed)
    if video_id is None:
        return []
    owner, roll = p.owner[video_id], p.rng.random()
    if roll < 0.4:
        return [VideoScreened(video_id, owner, p.new_id(), "p1", "labelled", ["sensitive"], [], 0.4)]
    if roll < 0.8:
        return [VideoLabelled(video_id, owner, ["sponsored"], MODERATOR, "an advert")]
    return [VideoUnlabelled(video_id, owner, ["sponsored"], MODERATOR, "not an advert")]


# -- held comments -----------------------------------------------------------------------------------


def hold_comment(p: base.Platform) -> list[DomainEvent]:
    """Screening holds a comment (a watched word); a moderator may release it later (posted then)."""
    r = _rich(p)
    held = r.pick(r.held)
    if held is not None and r.rng.random() < 0.5:
        r.held.remove(held)
        c = r.comments[held]
        if c.video_id not in r.listed or c.author_id in r.erased:
            return []
        r.live_comments.append(held)
        return [CommentPosted(held, c.video_id, c.author_id, "released", c.parent_id, c.parent_id)]
    pair = base.engageable(r)
    if pair is None:
        return []
    author, video_id = pair
    parent = r.pick([c for c in r.live_comments if r.comments[c].video_id == video_id])
    if parent is not None and r.comments[parent].parent_id is not None:
        parent = r.comments[parent].parent_id
    comment_id = r.new_id()
    r.comments[comment_id] = Comment(video_id, author, parent)
    r.held.append(comment_id)
    return [CommentHeld(comment_id, video_id, author, "held back", parent, parent)]


# -- pages, consent, notifications -------------------------------------------------------------------


def serve_page(p: base.Platform) -> list[DomainEvent]:
    viewer, videos = p.user(), p.rng.sample(p.listed, min(3, len(p.listed)))
    items: list[dict[str, object]] = [
        {"video_id": v, "score": 0.5, "source": "trending", "reason": "popular"} for v in videos
    ]
    return [FeedServed(p.new_id(), viewer, True, items)] if items else []


def consent(p: base.Platform) -> list[DomainEvent]:
    user = p.user()
    if p.rng.random() < 0.7:
        return [PersonalisationConsentGiven(user)]
    return [PersonalisationConsentWithdrawn(user)]


def notifications(p: base.Platform) -> list[DomainEvent]:
    user = p.user()
    if p.rng.random() < 0.7:
        return [NotificationsRead(user)]
    return [NotificationSettingsChanged(user, p.rng.sample(["like", "comment", "reply", "follow"], 2))]


# -- erasure -----------------------------------------------------------------------------------------


def erase(p: base.Platform) -> list[DomainEvent]:
    """A person erases their account: the request, then the cascade deleting each of their videos.
    They leave the platform: nothing more by them, and nothing more on what they made."""
    r = _rich(p)
    if len(r.users) <= 10:
        return []
    user = r.user()
    r.users.remove(user)
    r.erased.append(user)
    events: list[DomainEvent] = [ErasureRequested(user, user, r.new_id(), [])]
    for video_id in [v for v, owner in r.owner.items() if owner == user]:
        r.owner.pop(video_id)
        for place in (r.hidden, r.unpublished):
            place.pop(video_id, None)
        if video_id in r.listed:
            r.listed.remove(video_id)
        r.pinned.pop(video_id, None)
        events.append(VideoDeleted(video_id, user, DeletionReason.ERASURE.value))
    r.follows = {edge: None for edge in r.follows if user not in edge}
    r.blocks = {edge: None for edge in r.blocks if edge[0] != user}
    r.likes = {pair: None for pair in r.likes if pair[0] != user and pair[1] in r.owner}
    gone = {
        c for c, comment in r.comments.items() if comment.author_id == user or comment.video_id not in r.owner
    }
    r.live_comments = [c for c in r.live_comments if c not in gone]
    r.held = [c for c in r.held if c not in gone]
    r.comment_likes = {pair: None for pair in r.comment_likes if pair[0] != user and pair[1] not in gone}
    return events


MIX: tuple[tuple[Step, float], ...] = (
    *base.MIX,
    (report, 1.5),
    (work_case, 1.5),
    (appeal, 0.5),
    (label, 0.5),
    (hold_comment, 1),
    (serve_page, 2),
    (consent, 0.5),
    (notifications, 1),
    (erase, 0.15),
)
