"""Master playlists we write, media playlists ffmpeg writes, and what we measure for the master."""

from __future__ import annotations

from pathlib import Path

import pytest

from media.ffmpeg_ladder import ThumbnailStrip
from media.hls import (
    PlaylistError,
    Variant,
    average_bandwidth,
    master_playlist,
    parse_master,
    parse_media,
    peak_bandwidth,
    video_codec,
)

LOW = Variant("240p/index.m3u8", 500_000, 400_000, 240, 426, "avc1.640015,mp4a.40.2", 30.0)
HIGH = Variant("720p/index.m3u8", 3_200_000, 2_900_000, 720, 1280, "avc1.64001f,mp4a.40.2", 29.97)

MEDIA = """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:1
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="init.mp4"
#EXTINF:2.000000,
seg-00001.m4s
#EXTINF:2.000000,
seg-00002.m4s
#EXTINF:0.500000,
seg-00003.m4s
#EXT-X-ENDLIST
"""


def test_the_master_lists_variants_lowest_bandwidth_first_with_every_attribute() -> None:
    text = master_playlist([HIGH, LOW])
    assert text.splitlines()[:3] == ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    assert text.splitlines()[3] == (
        "#EXT-X-STREAM-INF:BANDWIDTH=500000,AVERAGE-BANDWIDTH=400000,RESOLUTION=240x426,"
        'CODECS="avc1.640015,mp4a.40.2",FRAME-RATE=30.000'
    )
    assert [v.uri for v in parse_master(text)] == ["240p/index.m3u8", "720p/index.m3u8"]


def test_the_master_reads_back_as_written() -> None:
    back = parse_master(master_playlist([LOW, HIGH]))
    assert back[0] == LOW
    assert back[1].codecs == HIGH.codecs
    assert back[1].frame_rate == pytest.approx(29.97)


def test_a_master_without_variants_is_refused() -> None:
    with pytest.raises(PlaylistError, match="no variant"):
        parse_master("#EXTM3U\n#EXT-X-VERSION:7\n")


def test_a_variant_without_codecs_is_refused() -> None:
    with pytest.raises(PlaylistError, match="CODECS"):
        parse_master("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x2\na/index.m3u8\n")


def test_a_stream_inf_without_a_uri_is_refused() -> None:
    with pytest.raises(PlaylistError, match="URI"):
        parse_master('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x2,CODECS="avc1.640015"\n')


def test_a_media_playlist_gives_its_segments_map_and_end() -> None:
    playlist = parse_media(MEDIA)
    assert (playlist.version, playlist.target_duration, playlist.map_uri) == (7, 2, "init.mp4")
    assert [s.uri for s in playlist.segments] == ["seg-00001.m4s", "seg-00002.m4s", "seg-00003.m4s"]
    assert playlist.duration_s == pytest.approx(4.5)
    assert playlist.ended
    assert playlist.vod


def test_a_segment_longer_than_the_target_duration_is_refused() -> None:
    with pytest.raises(PlaylistError, match="over the target"):
        parse_media(MEDIA.replace("#EXTINF:0.500000", "#EXTINF:2.600000"))


def test_a_segment_without_a_duration_is_refused() -> None:
    with pytest.raises(PlaylistError, match="no #EXTINF"):
        parse_media(MEDIA.replace("#EXTINF:2.000000,\nseg-00002.m4s", "seg-00002.m4s"))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("seg-00001.m4s\n", "#EXTM3U"),
        (MEDIA.replace("#EXT-X-TARGETDURATION:2\n", ""), "TARGETDURATION"),
        (MEDIA.replace("#EXTINF:2.000000", "#EXTINF:soon"), "not a number"),
    ],
)
def test_a_malformed_media_playlist_is_refused(text: str, rule: str) -> None:
    with pytest.raises(PlaylistError, match=rule):
        parse_media(text)


def test_a_playlist_cut_off_before_its_end_says_so() -> None:
    assert not parse_media(MEDIA.replace("#EXT-X-ENDLIST\n", "")).ended


def test_peak_bandwidth_is_the_busiest_run_of_segments_about_one_target_long() -> None:
    # Given 2 s segments of 250 kB, 500 kB and a 0.5 s tail of 10 kB
    durations, sizes = [2.0, 2.0, 0.5], [250_000, 500_000, 10_000]
    # Then the peak is the second segment alone, or it with the tail: 2,000,000 b/s
    assert peak_bandwidth(durations, sizes, 2) == 2_000_000
    assert average_bandwidth(durations, sizes) == 1_351_112


def test_a_tiny_last_segment_does_not_count_as_a_peak_on_its_own() -> None:
    assert peak_bandwidth([2.0, 0.1], [100_000, 5_000], 2) == pytest.approx(400_000, rel=0.01)


def test_a_video_shorter_than_half_a_target_is_measured_whole() -> None:
    assert peak_bandwidth([0.5], [50_000], 2) == 800_000


def _box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def test_the_h264_codec_name_carries_the_profile_and_level_of_the_init_segment(tmp_path: Path) -> None:
    init = tmp_path / "init.mp4"
    init.write_bytes(_box(b"ftyp", b"iso5") + _box(b"avcC", bytes([1, 0x64, 0x00, 0x1F, 0xFF])))
    assert video_codec(init) == "avc1.64001f"


def test_the_av1_codec_name_carries_profile_level_tier_and_depth(tmp_path: Path) -> None:
    init = tmp_path / "init.mp4"
    init.write_bytes(_box(b"av1C", bytes([0x81, 0x08, 0x4C, 0x00])))
    assert video_codec(init) == "av01.0.08M.10"


def test_an_init_segment_without_a_known_codec_is_refused(tmp_path: Path) -> None:
    init = tmp_path / "init.mp4"
    init.write_bytes(_box(b"ftyp", b"iso5"))
    with pytest.raises(ValueError, match="avcC"):
        video_codec(init)


def test_thumbnail_cues_cover_the_video_one_tile_each() -> None:
    vtt = ThumbnailStrip(count=4, width=90, height=160, duration_s=6.0).vtt("thumbs.jpg")
    lines = vtt.splitlines()
    assert lines[0] == "WEBVTT"
    assert lines[2:4] == ["00:00:00.000 --> 00:00:01.500", "thumbs.jpg#xywh=0,0,90,160"]
    assert lines[-2:] == ["00:00:04.500 --> 00:00:06.000", "thumbs.jpg#xywh=270,0,90,160"]
