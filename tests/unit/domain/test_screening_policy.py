"""The screening policy: what a finding leads to, and the verdict a video gets."""

from __future__ import annotations

import pytest

from domain.errors import InvalidCommand
from domain.screening import Action, Findings, Judgement, Policy, Verdict, judge

DEFAULT = Policy()  # nudity at 0.6 holds, a blocklist match blocks


def test_nothing_found_is_allowed() -> None:
    assert judge(DEFAULT, Findings(nsfw_score=0.1)) == Judgement(Verdict.ALLOWED, ())


def test_a_score_at_the_threshold_gets_the_policys_action_and_a_label() -> None:
    assert judge(DEFAULT, Findings(nsfw_score=0.6)) == Judgement(Verdict.HELD, ("nudity",))
    labelling = Policy(nsfw_action=Action.LABEL)
    assert judge(labelling, Findings(nsfw_score=0.9)) == Judgement(Verdict.LABELLED, ("nudity",))


def test_a_blocklist_match_blocks_whatever_else_is_found() -> None:
    judged = judge(DEFAULT, Findings(hash_matches=("00ff00ff00ff00ff",), nsfw_score=0.95))
    assert judged == Judgement(Verdict.BLOCKED, ("nudity", "sensitive"))


def test_an_allowed_finding_carries_no_label() -> None:
    relaxed = Policy(nsfw_action=Action.ALLOW)
    assert judge(relaxed, Findings(nsfw_score=0.99)) == Judgement(Verdict.ALLOWED, ())


def test_a_screening_that_could_not_be_done_holds_the_video() -> None:
    assert judge(DEFAULT, Findings(failed="the frames could not be read")).verdict is Verdict.HELD
    blocked = Findings(hash_matches=("00ff00ff00ff00ff",), failed="part of it")
    assert judge(DEFAULT, blocked).verdict is Verdict.BLOCKED


def test_the_version_changes_with_the_policy_and_with_what_the_findings_rest_on() -> None:
    assert DEFAULT.version() == Policy().version()
    assert DEFAULT.version() != Policy(nsfw_threshold=0.7).version()
    assert DEFAULT.version("blocklist-a") != DEFAULT.version("blocklist-b")


@pytest.mark.parametrize(
    "findings",
    [Findings(nsfw_score=1.5), Findings(nsfw_score=float("nan")), Findings(hash_matches=("",))],
    ids=["score-above-1", "nan", "empty-match"],
)
def test_nonsense_findings_are_refused(findings: Findings) -> None:
    with pytest.raises(InvalidCommand):
        judge(DEFAULT, findings)


def test_a_threshold_outside_0_to_1_is_refused() -> None:
    with pytest.raises(InvalidCommand):
        Policy(nsfw_threshold=0)
