"""Profile pictures through the real ffmpeg: what comes out (square, WebP, nothing of the upload's
metadata, upright), and what never gets that far or never gets out (files that lie about what they
are, decompression bombs, playlists that point at other files)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from media import images
from media.images import BadImage, ImageLimits, ImageTooLarge, NotAnImage, avatar_pictures
from tests.hostile_media import concat_list, photo_with_gps, picture, png_bomb


def upload(tmp_path: Path, data: bytes, name: str = "upload") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def made(tmp_path: Path, data: bytes) -> dict[int, Image.Image]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return {p.size: Image.open(p.path) for p in avatar_pictures(upload(tmp_path, data), out)}


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_each_accepted_format_becomes_square_webp_pictures(tmp_path: Path, kind: str) -> None:
    # Given a landscape picture / When it is made into an avatar
    pictures = made(tmp_path, picture(kind, (400, 300)))
    # Then there is a 320 and a 96 pixel square, each a WebP
    assert {size: (p.format, p.size) for size, p in pictures.items()} == {
        320: ("WEBP", (320, 320)),
        96: ("WEBP", (96, 96)),
    }


def test_a_photos_gps_position_and_camera_never_come_out(tmp_path: Path) -> None:
    # Given a phone photo that says where it was taken and on what
    photo = photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825), "the fixture has no GPS to lose"
    # When it is made into an avatar
    out = tmp_path / "out"
    out.mkdir()
    written = avatar_pictures(upload(tmp_path, photo), out)
    # Then no picture holds EXIF, GPS or the camera's make, in any form
    for p in written:
        data = p.path.read_bytes()
        assert not Image.open(p.path).getexif()
        for trace in (b"Exif", b"EXIF", b"XMP", b"GPS", b"PhoneMaker"):
            assert trace not in data


def test_a_photo_is_turned_upright_by_its_orientation_before_the_square_is_cut(tmp_path: Path) -> None:
    # Given a photo whose green corner is top left as stored, to be shown turned 90° clockwise
    photo = photo_with_gps((600, 600), orientation=6)
    # When / Then the corner is top right in the avatar, as every viewer of the photo sees it
    large = made(tmp_path, photo)[320].convert("RGB")
    green, red = (20, 200, 20), (200, 30, 30)
    assert _near(large.getpixel((300, 20)), green)
    assert _near(large.getpixel((20, 20)), red)


def test_text_named_like_a_png_is_not_a_picture(tmp_path: Path) -> None:
    # Given / When / Then
    with pytest.raises(NotAnImage, match="not a JPEG, PNG or WebP"):
        avatar_pictures(upload(tmp_path, b"just some words\n" * 20, "face.png"), tmp_path)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"#EXTM3U\n#EXTINF:1,\nsecret.png\n", "playlist"),
        (concat_list("secret.png"), "concat list"),
        (b"GIF89a" + bytes(40), "GIF"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', "SVG"),
    ],
    ids=["hls", "concat", "gif", "svg"],
)
def test_files_that_point_elsewhere_are_refused_before_ffmpeg_sees_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, said: str
) -> None:
    # Given a file disguised as an image by its name, and an ffmpeg that must not be started
    monkeypatch.setattr(images, "_run", _never)
    # When / Then it is refused for what it is
    with pytest.raises(NotAnImage, match=said):
        avatar_pictures(upload(tmp_path, data, "face.png"), tmp_path)


def test_even_handed_to_ffmpeg_a_playlist_is_not_followed(tmp_path: Path) -> None:
    """The guard beneath the sniffing: ffmpeg reads the file with the image demuxer forced and the
    file protocol alone, so a playlist naming a real picture beside it gives no picture."""
    # Given a real picture, and a playlist and a concat list beside it that name it
    (tmp_path / "secret.png").write_bytes(picture("PNG"))
    for name, data in {
        "hls.png": b"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nsecret.png\n#EXT-X-ENDLIST\n",
        "list.png": concat_list("secret.png"),
    }.items():
        out = images.Picture(96, tmp_path / f"{name}.webp")
        # When ffmpeg is run on them exactly as for an upload sniffed as a PNG
        args = images.command(images._ffmpeg(), images.PNG, upload(tmp_path, data, name), [out], 10**6)
        # Then it fails, and nothing was made from the picture they name
        with pytest.raises(BadImage):
            images._run(args, 20)
        assert _empty(out.path)


def test_a_decompression_bomb_is_refused_from_its_header_before_any_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a tiny PNG claiming 100000 x 100000 pixels
    bomb = png_bomb(100_000, 100_000)
    assert len(bomb) < 200
    monkeypatch.setattr(images, "_run", _never)
    # When / Then
    with pytest.raises(BadImage, match="100000x100000 pixels; at most 40 megapixels"):
        avatar_pictures(upload(tmp_path, bomb, "face.png"), tmp_path)


def test_the_decoder_itself_holds_to_the_pixel_bound(tmp_path: Path) -> None:
    """Should a header ever say less than the data holds, ffmpeg's decoder refuses the frame."""
    # Given a real 400 x 300 picture, and a bound of a thousand pixels given to ffmpeg alone
    out = images.Picture(96, tmp_path / "out.webp")
    args = images.command(images._ffmpeg(), images.PNG, upload(tmp_path, picture("PNG")), [out], 1_000)
    # When / Then
    with pytest.raises(BadImage):
        images._run(args, 20)
    assert _empty(out.path)


def test_a_damaged_picture_is_refused(tmp_path: Path) -> None:
    # Given a PNG whose header is sound and whose data is cut off / When / Then
    whole = picture("PNG")
    with pytest.raises(BadImage, match="could not be read"):
        avatar_pictures(upload(tmp_path, whole[:60]), tmp_path)


def test_an_animated_webp_is_refused(tmp_path: Path) -> None:
    # Given two frames in one WebP
    frames, out = [Image.new("RGB", (64, 64), c) for c in ("red", "blue")], io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    # When / Then
    with pytest.raises(NotAnImage, match="animated"):
        avatar_pictures(upload(tmp_path, out.getvalue()), tmp_path)


def test_too_many_bytes_or_too_few_pixels_are_refused(tmp_path: Path) -> None:
    # Given / When / Then
    with pytest.raises(ImageTooLarge):
        avatar_pictures(upload(tmp_path, picture("PNG")), tmp_path, ImageLimits(max_bytes=100))
    with pytest.raises(BadImage, match="at least 16"):
        avatar_pictures(upload(tmp_path, picture("PNG", (8, 8))), tmp_path)


def test_a_jpegs_size_comes_from_its_frame_not_from_a_thumbnail_in_its_exif(tmp_path: Path) -> None:
    # Given a photo whose EXIF segment carries a small JPEG thumbnail of its own
    thumb = io.BytesIO()
    Image.new("RGB", (16, 12), "white").save(thumb, "JPEG")
    exif = Image.Exif()
    exif[0x0201], exif[0x0202] = 0, len(thumb.getvalue())  # offsets are enough to be carried along
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), "gray").save(photo, "JPEG", exif=exif.tobytes() + thumb.getvalue())
    # When / Then
    assert images.dimensions(photo.getvalue(), images.JPEG) == (640, 480)


def _empty(path: Path) -> bool:
    """ffmpeg may open its output before it fails: nothing in it is as good as no file."""
    return not path.exists() or path.stat().st_size == 0


def _never(*_: object) -> None:
    raise AssertionError("ffmpeg was started")


def _near(found: object, wanted: tuple[int, int, int], slack: int = 40) -> bool:
    assert isinstance(found, tuple)
    return all(abs(int(a) - b) <= slack for a, b in zip(found, wanted, strict=True))
