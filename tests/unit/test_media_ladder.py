"""The ladder a source gets: never upscaled, named for the short side, even sizes, audio only with audio."""

from __future__ import annotations

import pytest

from media.ladder import Rendition, plan
from media.probe import Probe


def source(width: int, height: int, *, audio: bool = True, rotation: int = 0) -> Probe:
    return Probe(
        container="mov,mp4,m4a,3gp,3g2,mj2",
        duration_s=10.0,
        width=width,
        height=height,
        rotation=rotation,
        video_codec="h264",
        audio_codec="aac" if audio else None,
    )


def names(ladder: list[Rendition]) -> list[str]:
    return [r.name for r in ladder]


def test_a_full_hd_phone_clip_gets_every_rung_in_portrait() -> None:
    ladder = plan(source(1080, 1920, rotation=90))
    assert names(ladder) == ["240p", "360p", "480p", "720p", "1080p"]
    assert [(r.width, r.height) for r in ladder] == [
        (240, 426),
        (360, 640),
        (480, 854),
        (720, 1280),
        (1080, 1920),
    ]


def test_a_landscape_source_is_named_by_its_short_side_too() -> None:
    ladder = plan(source(1280, 720))
    assert names(ladder) == ["240p", "360p", "480p", "720p"]
    assert (ladder[-1].width, ladder[-1].height) == (1280, 720)


@pytest.mark.parametrize(
    ("width", "height"), [(640, 360), (367, 651), (3840, 2160), (1000, 1000), (500, 2000)]
)
def test_no_rendition_is_larger_than_the_source(width: int, height: int) -> None:
    for rendition in plan(source(width, height)):
        assert rendition.width <= width
        assert rendition.height <= height


@pytest.mark.parametrize(("width", "height"), [(367, 651), (641, 359), (1001, 1777), (250, 251)])
def test_every_size_is_even_and_keeps_the_aspect_ratio(width: int, height: int) -> None:
    for rendition in plan(source(width, height)):
        assert rendition.width % 2 == 0
        assert rendition.height % 2 == 0
        assert rendition.width / rendition.height == pytest.approx(width / height, rel=0.02)


def test_a_4k_source_tops_out_at_1080p() -> None:
    assert names(plan(source(3840, 2160)))[-1] == "1080p"


def test_an_odd_sized_source_between_rungs_stops_below_its_size() -> None:
    ladder = plan(source(367, 651))
    assert names(ladder) == ["240p", "360p"]
    assert (ladder[-1].width, ladder[-1].height) == (360, 638)


def test_a_source_smaller_than_the_lowest_rung_gets_one_rendition_at_its_own_size() -> None:
    ladder = plan(source(179, 321))
    assert len(ladder) == 1
    assert (ladder[0].name, ladder[0].width, ladder[0].height) == ("178p", 178, 320)


def test_bitrates_rise_with_the_rung_and_allow_a_peak_above_the_average() -> None:
    ladder = plan(source(1920, 1080))
    rates = [r.video_kbps for r in ladder]
    assert rates == sorted(rates)
    assert len(set(rates)) == len(rates)
    assert all(r.max_kbps > r.video_kbps for r in ladder)


def test_a_silent_source_gets_no_audio_in_any_rendition() -> None:
    assert {r.audio_kbps for r in plan(source(1280, 720, audio=False))} == {None}
    assert None not in {r.audio_kbps for r in plan(source(1280, 720))}


def test_av1_adds_the_same_sizes_again_at_a_lower_bitrate() -> None:
    h264 = plan(source(1280, 720))
    both = plan(source(1280, 720), av1=True)
    assert both[: len(h264)] == h264
    av1 = both[len(h264) :]
    assert names(av1) == [f"{r.name}-av1" for r in h264]
    assert {r.codec for r in av1} == {"av1"}
    assert [(r.width, r.height) for r in av1] == [(r.width, r.height) for r in h264]
    assert all(a.video_kbps < h.video_kbps for a, h in zip(av1, h264, strict=True))


def test_without_av1_every_rendition_is_h264() -> None:
    assert {r.codec for r in plan(source(1920, 1080))} == {"h264"}
