"""The screening policy: what each kind of finding leads to, and the verdict it gives a video.

Screening finds things (frames near a blocklisted hash, a nudity score); the policy says what
each means: allow, label, hold for a moderator, or block. A video's verdict is the most severe
action among its findings, and it carries a label for each finding not allowed, so a video a
moderator releases from hold still shows what it was held for. A screening that could not be
done (the job gave up) holds the video: nothing is published unscreened.

The policy's ``version`` is a digest of what it says, so a verdict records which policy gave it,
and a replay under a changed policy knows which verdicts are out of date.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import math

from domain.actors import Actor, Role
from domain.errors import InvalidCommand

#: The screening pipeline's own identity: the only actor that records verdicts, and the reporter of
#: what it sends to the moderators. Like the media pipeline's, no token is ever issued for it.
SCREENER = Actor(user_id="system:screening", role=Role.ADMIN)

MAX_HASH_MATCHES = 64


class Action(enum.StrEnum):
    ALLOW = "allow"
    LABEL = "label"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Action.ALLOW: 0, Action.LABEL: 1, Action.HOLD: 2, Action.BLOCK: 3}


class Verdict(enum.StrEnum):
    """``labelled`` publishes with labels; ``held`` waits for a moderator; ``blocked`` never publishes."""

    ALLOWED = "allowed"
    LABELLED = "labelled"
    HELD = "held"
    BLOCKED = "blocked"


VERDICT_OF = {
    Action.ALLOW: Verdict.ALLOWED,
    Action.LABEL: Verdict.LABELLED,
    Action.HOLD: Verdict.HELD,
    Action.BLOCK: Verdict.BLOCKED,
}


class Label(enum.StrEnum):
    """The labels a video card may show; screening uses ``nudity`` and ``sensitive``."""

    SENSITIVE = "sensitive"
    GRAPHIC = "graphic"
    AI_GENERATED = "ai_generated"
    AD = "ad"
    NUDITY = "nudity"


class CommentAction(enum.StrEnum):
    """What a comment holding a watched word gets: held for a moderator, or refused outright."""

    HOLD = "hold"
    REJECT = "reject"


@dataclasses.dataclass(frozen=True, slots=True)
class Policy:
    """``nsfw_threshold``: a video whose highest frame score reaches it gets ``nsfw_action``.
    ``hash_action``: what a blocklist match gets. ``comment_action``: for watched words in comments
    (captions and handles holding one are always refused)."""

    nsfw_threshold: float = 0.6
    nsfw_action: Action = Action.HOLD
    hash_action: Action = Action.BLOCK
    comment_action: CommentAction = CommentAction.HOLD

    def __post_init__(self) -> None:
        if not (isinstance(self.nsfw_threshold, float | int) and 0 < self.nsfw_threshold <= 1):
            raise InvalidCommand("nsfw_threshold must be above 0 and at most 1")
        object.__setattr__(self, "nsfw_action", Action(self.nsfw_action))
        object.__setattr__(self, "hash_action", Action(self.hash_action))
        object.__setattr__(self, "comment_action", CommentAction(self.comment_action))

    def version(self, basis: str = "") -> str:
        """A short digest of what the policy says, and of ``basis``: whatever else the findings
        depend on (the blocklist, the classifier), so a change to any of them is a new version."""
        said = f"nsfw>={self.nsfw_threshold:g}:{self.nsfw_action};hash:{self.hash_action};{basis}"
        return hashlib.sha256(said.encode()).hexdigest()[:16]


@dataclasses.dataclass(frozen=True, slots=True)
class Findings:
    """What screening found in a video's frames. ``hash_matches``: the blocklist entries matched;
    ``nsfw_score``: the highest frame score, 0 to 1 (None if not scored); ``failed``: why the
    screening could not be done, if it could not."""

    hash_matches: tuple[str, ...] = ()
    nsfw_score: float | None = None
    failed: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Judgement:
    verdict: Verdict
    labels: tuple[str, ...]


def judge(policy: Policy, findings: Findings) -> Judgement:
    """The most severe action among the findings, with a label for each one not allowed."""
    valid_findings(findings)
    actions: list[tuple[Action, Label]] = []
    if findings.hash_matches:
        actions.append((policy.hash_action, Label.SENSITIVE))
    if findings.nsfw_score is not None and findings.nsfw_score >= policy.nsfw_threshold:
        actions.append((policy.nsfw_action, Label.NUDITY))
    worst = max((action for action, _ in actions), key=lambda a: a.severity, default=Action.ALLOW)
    if findings.failed is not None:
        worst = max(worst, Action.HOLD, key=lambda a: a.severity)
    labels = sorted({label.value for action, label in actions if action is not Action.ALLOW})
    return Judgement(VERDICT_OF[worst], tuple(labels))


def valid_findings(findings: Findings) -> Findings:
    if len(findings.hash_matches) > MAX_HASH_MATCHES:
        raise InvalidCommand(f"at most {MAX_HASH_MATCHES} blocklist matches are recorded")
    if any(not isinstance(m, str) or not m.strip() for m in findings.hash_matches):
        raise InvalidCommand("a blocklist match must name its entry")
    score = findings.nsfw_score
    if score is not None and not (isinstance(score, float | int) and math.isfinite(score)):
        raise InvalidCommand("nsfw_score must be a number")
    if score is not None and not 0 <= score <= 1:
        raise InvalidCommand("nsfw_score must be from 0 to 1")
    return findings
