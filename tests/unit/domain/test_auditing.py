"""What auditors see: personal data masked unless revealed for a reason, secrets never, erasure always."""

from __future__ import annotations

import ast
import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from domain import auditing
from domain.actors import Actor, Role
from domain.auditing import (
    ERASED,
    MASKED,
    WITHHELD,
    PersonalDataRevealed,
    RevealPersonalData,
    decide_reveal,
    personal_fields,
    revealable,
    shown,
)
from domain.errors import InvalidCommand, NotAllowed
from domain.events import EVENT_TYPES

AUDITOR = Actor("aud-1", Role.AUDITOR)
REASON = "ticket 4711: disputed sign-up"
REGISTERED = {
    "user_id": "u1",
    "handle": "ann",
    "email": "ann@example.com",
    "password_hash": "$argon2id$v=19$secret",
    "display_name": "Ann",
}


def test_every_personal_field_of_an_account_is_masked_and_the_hash_withheld() -> None:
    personal = personal_fields("UserRegistered")
    seen = shown(REGISTERED, personal=personal, erased=frozenset(), reveal=False)
    assert seen == {
        "user_id": "u1",
        "handle": MASKED,
        "email": MASKED,
        "password_hash": WITHHELD,
        "display_name": MASKED,
    }


def test_a_reveal_shows_personal_values_but_never_the_password_hash() -> None:
    personal = personal_fields("UserRegistered")
    seen = shown(REGISTERED, personal=personal, erased=frozenset(), reveal=True)
    assert seen == {**REGISTERED, "password_hash": WITHHELD}


@pytest.mark.parametrize("reveal", [False, True])
def test_erased_fields_read_erased_either_way(reveal: bool) -> None:
    data = {**REGISTERED, "email": None, "password_hash": None, "display_name": None}
    erased = frozenset({"email", "password_hash", "display_name"})
    seen = shown(data, personal=personal_fields("UserRegistered"), erased=erased, reveal=reveal)
    assert (seen["email"], seen["password_hash"], seen["display_name"]) == (ERASED, ERASED, ERASED)


def test_an_absent_personal_value_stays_absent_rather_than_pretending_to_hide_one() -> None:
    data = {"user_id": "u1", "display_name": "Ann", "bio": None, "avatar_url": None}
    seen = shown(data, personal=personal_fields("ProfileChanged"), erased=frozenset(), reveal=False)
    assert seen == {"user_id": "u1", "display_name": MASKED, "bio": None, "avatar_url": None}


@pytest.mark.parametrize(
    ("event_type", "expected"),
    [
        ("UserRegistered", {"email", "password_hash", "display_name", "handle"}),
        ("HandleClaimed", {"handle"}),
        ("ProfileChanged", {"display_name", "bio", "avatar_url"}),
        ("VideoPublished", {"caption", "hashtags"}),
        ("ErasureRequested", {"claims"}),
        ("CommentPosted", {"text"}),
        ("ReportFiled", {"note"}),
        ("PersonalDataRevealed", {"reason"}),
        ("VideoLiked", set()),
        ("NoSuchType", set()),
    ],
)
def test_personal_fields_are_what_the_type_declares_plus_what_identifies_in_clear(
    event_type: str, expected: set[str]
) -> None:
    assert personal_fields(event_type) == expected


def test_a_reveal_records_the_auditor_stream_reason_and_what_was_shown() -> None:
    found = {"e1": frozenset({"email", "handle"}), "e2": frozenset(), "e3": frozenset({"bio"})}
    events = decide_reveal(RevealPersonalData(AUDITOR, "user-u1", f"  {REASON} "), found)
    assert events == [
        PersonalDataRevealed("aud-1", "user-u1", REASON, ["e1", "e3"], ["bio", "email", "handle"])
    ]


def test_nothing_to_show_records_nothing() -> None:
    assert decide_reveal(RevealPersonalData(AUDITOR, "video-1", REASON), {"e1": frozenset()}) == []


@pytest.mark.parametrize("reason", [None, "", "too short", " " * 30, "x" * 501, "ten chars\x00!"])
def test_a_reveal_needs_a_reason_of_10_to_500_characters(reason: str | None) -> None:
    with pytest.raises(InvalidCommand):
        decide_reveal(RevealPersonalData(AUDITOR, "user-u1", reason), {"e1": frozenset({"email"})})


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_only_auditors_and_admins_reveal(role: Role) -> None:
    with pytest.raises(NotAllowed):
        decide_reveal(RevealPersonalData(Actor("x", role), "user-u1", REASON), {"e1": frozenset({"email"})})
    assert auditing.may_audit(Actor("x", Role.ADMIN))


def test_revealable_leaves_out_secrets_erased_and_absent_fields() -> None:
    data = {**REGISTERED, "display_name": None}
    personal = personal_fields("UserRegistered")
    assert revealable(data, personal=personal, erased=frozenset({"email"})) == {"handle"}


def test_importing_the_audit_policy_registers_every_event_the_domain_declares() -> None:
    """Masking reads each type's declared personal fields: the ``strom audit`` shell imports only
    this module, so it must know every type, not just those some other import happened to load."""
    root = Path(auditing.__file__).parent
    declared = {
        decorator.args[0].value
        for path in root.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call)
        and getattr(decorator.func, "id", None) == "event"
        and isinstance(decorator.args[0], ast.Constant)
    }
    script = "import domain.auditing; from domain.events import EVENT_TYPES; print(' '.join(EVENT_TYPES))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root.parent
    )
    assert "UserRegistered" in declared
    assert declared - set(out.stdout.split()) == set()


def test_every_field_that_looks_like_a_secret_is_declared_one() -> None:
    """A tripwire for new events: a hash or token field must be added to ``SECRET_FIELDS`` on purpose."""
    looks_secret = re.compile(r"password|secret|token|_hash$")
    undeclared = {
        f"{name}.{field.name}"
        for name, cls in EVENT_TYPES.items()
        for field in dataclasses.fields(cls)
        if looks_secret.search(field.name) and field.name not in auditing.SECRET_FIELDS
    }
    assert undeclared == set()
