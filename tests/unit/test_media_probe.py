"""Reading ffprobe's JSON: what the pipeline learns about an upload, and which uploads it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from media.probe import NotPlayable, Probe, from_ffprobe, within_limits

MP4 = "mov,mp4,m4a,3gp,3g2,mj2"


def video(width: int = 1920, height: int = 1080, codec: str = "h264", **extra: Any) -> dict[str, Any]:
    return {"codec_type": "video", "codec_name": codec, "width": width, "height": height, **extra}


def audio(codec: str = "aac") -> dict[str, Any]:
    return {"codec_type": "audio", "codec_name": codec}


def ffprobe_json(
    *streams: dict[str, Any], format_name: str = MP4, duration: str | None = "12.5"
) -> dict[str, Any]:
    fmt: dict[str, Any] = {"format_name": format_name}
    if duration is not None:
        fmt["duration"] = duration
    return {"format": fmt, "streams": list(streams)}


def refusal(data: dict[str, Any]) -> str:
    with pytest.raises(NotPlayable) as refused:
        from_ffprobe(data)
    return refused.value.reason


def test_a_landscape_clip_with_sound_is_described_in_full() -> None:
    found = from_ffprobe(ffprobe_json(video(), audio()))
    assert found == Probe(
        container=MP4,
        duration_s=12.5,
        width=1920,
        height=1080,
        rotation=0,
        video_codec="h264",
        audio_codec="aac",
    )
    assert found.has_audio


def test_a_display_matrix_turning_counter_clockwise_is_a_clockwise_rotation_and_makes_a_portrait() -> None:
    turned = video(side_data_list=[{"side_data_type": "Display Matrix", "rotation": -90}])
    found = from_ffprobe(ffprobe_json(turned))
    assert (found.rotation, found.width, found.height) == (90, 1080, 1920)


def test_the_legacy_rotate_tag_counts_clockwise() -> None:
    found = from_ffprobe(ffprobe_json(video(tags={"rotate": "270"})))
    assert (found.rotation, found.width, found.height) == (270, 1080, 1920)


def test_an_upside_down_clip_keeps_its_shape() -> None:
    found = from_ffprobe(ffprobe_json(video(side_data_list=[{"rotation": 180}])))
    assert (found.rotation, found.width, found.height) == (180, 1920, 1080)


def test_side_data_wins_over_the_tag_and_odd_angles_round_to_a_quarter_turn() -> None:
    stream = video(side_data_list=[{"rotation": 89.97}], tags={"rotate": "0"})
    assert from_ffprobe(ffprobe_json(stream)).rotation == 270


def test_a_clip_without_sound_has_no_audio() -> None:
    found = from_ffprobe(ffprobe_json(video()))
    assert (found.audio_codec, found.has_audio) == (None, False)


def test_the_duration_falls_back_to_the_video_track() -> None:
    assert from_ffprobe(ffprobe_json(video(duration="3.25"), duration=None)).duration_s == 3.25


def test_a_png_is_refused_as_a_still_image() -> None:
    data = ffprobe_json(
        video(640, 480, codec="png", nb_read_packets="1"), format_name="png_pipe", duration=None
    )
    assert "still image" in refusal(data)


def test_a_single_jpeg_frame_in_a_container_is_a_still_image() -> None:
    data = ffprobe_json(video(640, 480, codec="mjpeg", nb_frames="1"), format_name="avi", duration="0.04")
    assert "still image" in refusal(data)


def test_a_motion_jpeg_video_is_a_video() -> None:
    data = ffprobe_json(video(640, 480, codec="mjpeg", nb_frames="250"), format_name="avi", duration="10")
    assert from_ffprobe(data).video_codec == "mjpeg"


def test_audio_with_cover_art_has_no_video_track() -> None:
    cover = video(600, 600, codec="mjpeg", disposition={"attached_pic": 1})
    assert refusal(ffprobe_json(audio("mp3"), cover, format_name="mp3")) == "the file has no video track"


def test_a_file_with_fewer_frames_than_its_index_promises_is_truncated() -> None:
    data = ffprobe_json(video(nb_frames="60", nb_read_packets="22"), audio())
    assert "incomplete" in refusal(data)


def test_a_missing_duration_is_refused_as_damaged() -> None:
    assert "length is unknown" in refusal(ffprobe_json(video(), duration="N/A"))


def test_a_video_track_without_a_size_cannot_be_decoded() -> None:
    stream = {"codec_type": "video", "codec_name": "h264"}
    assert "cannot be decoded" in refusal(ffprobe_json(stream))


def limited(found: Probe, max_duration_s: float = 600, max_dimension: int = 4096) -> str:
    with pytest.raises(NotPlayable) as refused:
        within_limits(found, max_duration_s=max_duration_s, max_dimension=max_dimension)
    return refused.value.reason


def test_a_clip_within_the_limits_passes_unchanged() -> None:
    found = from_ffprobe(ffprobe_json(video(), duration="600"))
    assert within_limits(found, max_duration_s=600, max_dimension=4096) is found


def test_a_clip_over_the_duration_limit_is_refused_saying_both_lengths() -> None:
    found = from_ffprobe(ffprobe_json(video(), duration="720"))
    assert limited(found) == "the video is 12 minutes long; at most 10 minutes are allowed"


def test_absurd_dimensions_are_refused() -> None:
    assert "at most 4096 pixels" in limited(from_ffprobe(ffprobe_json(video(100_000, 1080))))
    assert "at least 16 pixels" in limited(from_ffprobe(ffprobe_json(video(8, 8))))


def test_a_refusal_is_a_domain_error_whose_message_is_the_reason() -> None:
    error = NotPlayable("the file is empty")
    assert str(error) == error.reason == "the file is empty"


def test_the_frame_rate_is_the_average_one() -> None:
    ntsc = from_ffprobe(ffprobe_json(video(avg_frame_rate="30000/1001")))
    assert ntsc.frame_rate == pytest.approx(30000 / 1001)
    assert from_ffprobe(ffprobe_json(video(avg_frame_rate="0/0", r_frame_rate="90000/1"))).frame_rate is None


def test_a_frame_rate_over_the_limit_is_refused() -> None:
    found = from_ffprobe(ffprobe_json(video(avg_frame_rate="1000/1")))
    assert limited(found) == "the video has 1000 frames a second; at most 240 are allowed"
