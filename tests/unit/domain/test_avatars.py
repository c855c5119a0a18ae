"""The profile picture on the account stream: an uploaded picture or an address, one at a time, and
every uploaded picture that stops being the avatar discarded so its files go."""

from __future__ import annotations

import pytest

from domain.accounts import (
    AvatarDiscarded,
    ChangeProfile,
    ErasureRequested,
    Event,
    ProfileChanged,
    RemoveAvatar,
    SetAvatar,
    State,
    UserRegistered,
    decide_change_profile,
    decide_remove_avatar,
    decide_set_avatar,
    evolve,
    initial,
)
from domain.accounts.rules import own_avatar, own_avatar_id
from domain.actors import Actor
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, NotAllowed

ANN, BOB = Actor("ann"), Actor("bob")
PIC_1, PIC_2 = "a" * 32, "b" * 32
REGISTERED = UserRegistered(
    user_id="ann", handle="ann", email="ann@example.com", password_hash="h", display_name="Ann"
)


def given(*events: Event) -> State:
    return fold(evolve, initial, [REGISTERED, *events])


def with_picture(avatar_id: str = PIC_1, bio: str = "hi") -> ProfileChanged:
    return ProfileChanged("ann", "Ann", bio, own_avatar(avatar_id))


def test_a_first_picture_becomes_the_avatar_and_discards_nothing() -> None:
    # Given an account with no avatar
    state = given()
    # When a picture is set
    events = decide_set_avatar(state, SetAvatar(ANN, PIC_1))
    # Then the profile names it, the rest of the profile as it was
    assert events == [ProfileChanged("ann", "Ann", "", "avatar:" + PIC_1)]
    assert own_avatar_id(fold(evolve, state, events).avatar_url) == PIC_1


def test_a_new_picture_discards_the_one_it_replaces() -> None:
    # Given an avatar uploaded before
    state = given(with_picture(PIC_1))
    # When another is set
    events = decide_set_avatar(state, SetAvatar(ANN, PIC_2))
    # Then the old one is discarded with the change
    assert events == [with_picture(PIC_2), AvatarDiscarded("ann", PIC_1)]


def test_the_same_picture_again_records_nothing() -> None:
    # Given / When / Then
    assert decide_set_avatar(given(with_picture(PIC_1)), SetAvatar(ANN, PIC_1)) == []


def test_a_picture_replaces_an_address_and_discards_nothing() -> None:
    # Given an avatar given as an address
    state = given(ProfileChanged("ann", "Ann", "hi", "https://cdn.example/a.png"))
    # When a picture is uploaded
    events = decide_set_avatar(state, SetAvatar(ANN, PIC_1))
    # Then the picture is the avatar; an address has no files to discard
    assert events == [with_picture(PIC_1)]


def test_removing_an_uploaded_picture_discards_it() -> None:
    # Given / When
    events = decide_remove_avatar(given(with_picture(PIC_1)), RemoveAvatar(ANN))
    # Then
    assert events == [ProfileChanged("ann", "Ann", "hi", None), AvatarDiscarded("ann", PIC_1)]


def test_removing_an_address_clears_it_and_removing_nothing_records_nothing() -> None:
    # Given an address, and then no avatar at all
    with_address = given(ProfileChanged("ann", "Ann", "", "https://cdn.example/a.png"))
    # When / Then
    assert decide_remove_avatar(with_address, RemoveAvatar(ANN)) == [ProfileChanged("ann", "Ann", "", None)]
    assert decide_remove_avatar(given(), RemoveAvatar(ANN)) == []


def test_changing_name_and_bio_keeps_the_uploaded_picture() -> None:
    # Given an uploaded picture, and a client that sends no avatar_url with the rest of the profile
    state = given(with_picture(PIC_1))
    # When
    events = decide_change_profile(state, ChangeProfile(ANN, display_name="Ann B", bio="new"))
    # Then the picture stays, and nothing is discarded
    assert events == [ProfileChanged("ann", "Ann B", "new", "avatar:" + PIC_1)]


def test_an_address_replaces_the_uploaded_picture_and_discards_it() -> None:
    # Given / When
    cmd = ChangeProfile(ANN, display_name="Ann", bio="hi", avatar_url="https://cdn.example/b.png")
    events = decide_change_profile(given(with_picture(PIC_1)), cmd)
    # Then
    assert events == [
        ProfileChanged("ann", "Ann", "hi", "https://cdn.example/b.png"),
        AvatarDiscarded("ann", PIC_1),
    ]


def test_nobody_can_point_a_profile_at_a_picture_by_address() -> None:
    # Given someone who knows another picture's reference / When they give it as an address / Then
    with pytest.raises(InvalidCommand, match="http or https"):
        decide_change_profile(given(), ChangeProfile(ANN, display_name="Ann", avatar_url="avatar:" + PIC_2))


@pytest.mark.parametrize("avatar_id", ["", "short", "../../etc/passwd", "a" * 65, "-" + "a" * 31, "a/b" * 8])
def test_a_picture_id_that_could_not_be_ours_is_refused(avatar_id: str) -> None:
    # Given / When / Then
    with pytest.raises(InvalidCommand, match="picture's id"):
        decide_set_avatar(given(), SetAvatar(ANN, avatar_id))


def test_only_the_holder_sets_or_removes_their_picture() -> None:
    # Given Ann's account / When Bob acts on it / Then
    with pytest.raises(NotAllowed):
        decide_set_avatar(given(), SetAvatar(BOB, PIC_1))
    with pytest.raises(NotAllowed):
        decide_remove_avatar(given(with_picture()), RemoveAvatar(BOB))


def test_an_erased_account_takes_no_picture() -> None:
    # Given / When / Then
    erased = given(ErasureRequested("ann", "ann", erasure_id="e1"))
    with pytest.raises(Conflict, match="erased"):
        decide_set_avatar(erased, SetAvatar(ANN, PIC_1))


def test_the_discard_names_no_personal_field_so_it_reads_after_erasure() -> None:
    # Given / When / Then: the cleanup reads it once the holder's key is gone
    assert AvatarDiscarded.personal_fields == ()
