"""Signed playback links: who they were made for, for which video, until when."""

from __future__ import annotations

import re

import pytest

from domain.errors import NotAllowed
from media.signing import BadLink, LinkExpired, sign, verify

KEY = b"k" * 32
VIDEO = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
OTHER_VIDEO = "0190aaaa-bbbb-7ccc-8ddd-000000000002"
USER = "0190aaaa-bbbb-7ccc-8ddd-0000000000aa"
EXPIRES = 1_700_003_600
NOW = 1_700_000_000.0


def test_a_link_verifies_for_its_video_and_names_its_user() -> None:
    token = sign(VIDEO, USER, EXPIRES, KEY)
    assert verify(token, VIDEO, KEY, NOW) == USER


def test_a_token_is_one_url_safe_path_segment() -> None:
    token = sign(VIDEO, USER, EXPIRES, KEY)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token)
    assert len(token) <= 100


def test_a_link_is_refused_from_its_expiry_on() -> None:
    token = sign(VIDEO, USER, EXPIRES, KEY)
    assert verify(token, VIDEO, KEY, EXPIRES - 0.5) == USER
    for now in (EXPIRES, EXPIRES + 1):
        with pytest.raises(LinkExpired, match="the link expired"):
            verify(token, VIDEO, KEY, now)


def test_a_link_for_one_video_does_not_open_another() -> None:
    token = sign(VIDEO, USER, EXPIRES, KEY)
    with pytest.raises(BadLink, match="the link is not valid"):
        verify(token, OTHER_VIDEO, KEY, NOW)


def test_a_link_signed_with_another_key_is_refused() -> None:
    token = sign(VIDEO, USER, EXPIRES, b"x" * 32)
    with pytest.raises(BadLink):
        verify(token, VIDEO, KEY, NOW)


@pytest.mark.parametrize("part", [0, 1, 2])
def test_changing_any_part_of_a_token_breaks_it(part: int) -> None:
    # Given a valid token whose user, expiry or signature is altered by one character
    pieces = sign(VIDEO, USER, EXPIRES, KEY).split(".")
    original = pieces[part]
    replacement = "1" if original[-1] != "1" else "2"
    pieces[part] = original[:-1] + replacement
    # Then it reads as a bad link, never as an expired one nor as another user's
    with pytest.raises(BadLink):
        verify(".".join(pieces), VIDEO, KEY, NOW)


def test_a_later_expiry_cannot_be_grafted_onto_an_expired_link() -> None:
    user, _, signature = sign(VIDEO, USER, int(NOW) - 10, KEY).split(".")
    with pytest.raises(BadLink):
        verify(f"{user}.{EXPIRES}.{signature}", VIDEO, KEY, NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", f"{USER}.-5.sig", f"{USER}.12x.sig", "..."])
def test_malformed_tokens_are_bad_links(token: str) -> None:
    with pytest.raises(BadLink):
        verify(token, VIDEO, KEY, NOW)


def test_both_refusals_are_not_allowed_errors_the_api_maps_to_403() -> None:
    assert issubclass(BadLink, NotAllowed)
    assert issubclass(LinkExpired, NotAllowed)


def test_a_short_key_is_refused_when_signing_and_verifying() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        sign(VIDEO, USER, EXPIRES, b"short")
    with pytest.raises(ValueError, match="at least 16 bytes"):
        verify("a.1.b", VIDEO, b"short", NOW)


@pytest.mark.parametrize("user_id", ["", "a/b", "a.b", "x" * 65])
def test_a_user_id_that_would_not_fit_in_a_path_segment_is_refused(user_id: str) -> None:
    with pytest.raises(ValueError, match="user id"):
        sign(VIDEO, user_id, EXPIRES, KEY)


def test_a_negative_expiry_is_refused() -> None:
    with pytest.raises(ValueError, match="expiry"):
        sign(VIDEO, USER, -1, KEY)
