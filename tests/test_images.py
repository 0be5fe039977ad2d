"""Tests for vggcompare.core.input.images; every fixture image is generated here with Pillow."""

from __future__ import annotations

import io
import os
import struct
import time
import warnings
import zlib
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from vggcompare.core.input import images
from vggcompare.core.errors import ConfigError, ImageError
from vggcompare.core.input.model_view import switched_image
from vggcompare.core.input.images import INTERPOLATIONS, LoadedImage, decode_png, encode_png, image_from_array, load_image, resize_for_model, to_thumbnail

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)
TRANSPARENT_NOTE = ("This image has transparent pixels; Keras' load_img drops the alpha channel, so the model sees "
                    "the colours stored under them. Switch on 'transparent pixels on white' to compare.")


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def two_colour(width: int, height: int) -> Image.Image:
    """Left half red, right half blue, so rotations and mirrors can be told apart."""
    array = np.zeros((height, width, 3), np.uint8)
    array[:, : width // 2] = RED
    array[:, width // 2 :] = BLUE
    return Image.fromarray(array)


def save(tmp_path, im: Image.Image, name: str, **kwargs) -> str:
    path = str(tmp_path / name)
    im.save(path, **kwargs)
    return path


def pixels(loaded: LoadedImage) -> np.ndarray:
    return np.asarray(loaded.image).astype(int)


def check_rgb(loaded: LoadedImage) -> None:
    assert loaded.image.mode == "RGB"
    assert loaded.image.im is not None  # fully loaded, not lazy
    assert loaded.size == loaded.image.size and min(loaded.size) > 0


def bytes_of(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


# --- formats and modes ---------------------------------------------------------------


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_baseline_and_progressive(tmp_path, progressive):
    y, x = np.mgrid[0:40, 0:64]
    im = Image.fromarray(np.dstack([x * 4, y * 6, 255 - x * 2]).astype(np.uint8))  # smooth gradient
    path = save(tmp_path, im, "a.jpg", quality=95, progressive=progressive)
    data = (tmp_path / "a.jpg").read_bytes()
    assert (b"\xff\xc2" in data) == progressive  # SOF2 marks a progressive JPEG
    loaded = load_image(path)
    check_rgb(loaded)
    assert (loaded.format, loaded.original_mode, loaded.original_size) == ("JPEG", "RGB", (64, 40))
    assert loaded.source == path and loaded.frame_count == 1 and loaded.notes == ()
    with Image.open(path) as reference:
        assert np.array_equal(pixels(loaded), np.asarray(reference.convert("RGB")))
    assert np.abs(pixels(loaded) - np.asarray(im).astype(int)).max() < 12


def test_cmyk_jpeg(tmp_path):
    path = save(tmp_path, Image.new("CMYK", (16, 8), (0, 255, 255, 0)), "cmyk.jpg", quality=95)
    loaded = load_image(path)
    check_rgb(loaded)
    assert loaded.original_mode == "CMYK"
    assert "CMYK JPEG converted to RGB." in loaded.notes
    assert np.abs(pixels(loaded) - RED).max() < 8


@pytest.mark.parametrize("fmt, ext, kwargs", [
    ("PNG", "png", {}),
    ("BMP", "bmp", {}),
    ("TIFF", "tif", {}),
    ("TIFF", "tif", {"compression": "tiff_lzw"}),
    ("WEBP", "webp", {"lossless": True}),
])
def test_lossless_rgb_formats_are_exact(tmp_path, fmt, ext, kwargs):
    im = noise(23, 17, seed=1)
    loaded = load_image(save(tmp_path, im, f"a.{ext}", format=fmt, **kwargs))
    check_rgb(loaded)
    assert loaded.format == fmt and loaded.notes == ()
    assert np.array_equal(pixels(loaded), np.asarray(im))


def test_lossy_webp(tmp_path):
    loaded = load_image(save(tmp_path, Image.new("RGB", (20, 10), BLUE), "a.webp", quality=90))
    check_rgb(loaded)
    assert loaded.format == "WEBP" and np.abs(pixels(loaded) - BLUE).max() < 10


def on_white(loaded: LoadedImage) -> np.ndarray:
    return np.asarray(switched_image(loaded, ("alpha-on-white",))).astype(int)


def test_rgba_png_drops_alpha_like_keras_and_composites_on_white_when_switched(tmp_path):
    array = np.zeros((2, 3, 4), np.uint8)
    array[0, 0] = (0, 0, 0, 0)  # fully transparent black
    array[0, 1] = (255, 0, 0, 255)  # opaque red
    array[0, 2] = (0, 0, 255, 128)  # half-transparent blue
    array[1] = (10, 20, 30, 255)
    loaded = load_image(save(tmp_path, Image.fromarray(array), "a.png"))
    check_rgb(loaded)
    assert loaded.original_mode == "RGBA" and loaded.transparent
    assert TRANSPARENT_NOTE in loaded.notes
    keras_like = pixels(loaded)
    assert [tuple(p) for p in keras_like[0]] == [(0, 0, 0), RED, BLUE]  # the stored colours, alpha dropped
    got = on_white(loaded)
    assert tuple(got[0, 0]) == WHITE
    assert tuple(got[0, 1]) == RED
    assert np.abs(got[0, 2] - (127, 127, 255)).max() <= 1
    assert tuple(got[1, 0]) == (10, 20, 30)


def test_opaque_rgba_just_drops_alpha(tmp_path):
    im = Image.new("RGBA", (4, 4), (1, 2, 3, 255))
    loaded = load_image(save(tmp_path, im, "a.png"))
    assert tuple(pixels(loaded)[2, 2]) == (1, 2, 3)
    assert not any("white" in note for note in loaded.notes)


def test_greyscale_la_png(tmp_path):
    im = Image.new("LA", (2, 1))
    im.putpixel((0, 0), (0, 0))  # transparent black
    im.putpixel((1, 0), (100, 255))  # opaque grey
    loaded = load_image(save(tmp_path, im, "la.png"))
    assert loaded.original_mode == "LA"
    assert [tuple(p) for p in pixels(loaded)[0]] == [(0, 0, 0), (100, 100, 100)]
    assert [tuple(p) for p in on_white(loaded)[0]] == [WHITE, (100, 100, 100)]
    assert TRANSPARENT_NOTE in loaded.notes


def test_greyscale_l_png_converts_like_keras(tmp_path):
    im = Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16))
    loaded = load_image(save(tmp_path, im, "l.png"))
    check_rgb(loaded)
    assert loaded.original_mode == "L"
    assert np.array_equal(pixels(loaded), np.asarray(im.convert("RGB")))
    assert any("Greyscale" in note and "Keras" in note for note in loaded.notes)


def test_16_bit_png_converts_like_keras(tmp_path):
    values = np.array([[0, 100, 255, 1000, 65535]], dtype=np.uint16)
    path = save(tmp_path, Image.fromarray(values), "16.png")
    loaded = load_image(path)
    check_rgb(loaded)
    assert loaded.original_mode.startswith("I;16")
    with Image.open(path) as reference:  # keras load_img: img.convert("RGB")
        assert np.array_equal(pixels(loaded), np.asarray(reference.convert("RGB")))
    assert list(pixels(loaded)[0, :, 0]) == [0, 100, 255, 255, 255]
    assert any(note.startswith("16-bit image converted to 8-bit RGB the way Keras") for note in loaded.notes)


def palette_image() -> Image.Image:
    im = Image.new("P", (2, 1))
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * (254 * 3))
    im.putpixel((0, 0), 0)
    im.putpixel((1, 0), 1)
    return im


def test_palette_png_without_transparency(tmp_path):
    loaded = load_image(save(tmp_path, palette_image(), "p.png"))
    assert loaded.original_mode == "P"
    assert [tuple(p) for p in pixels(loaded)[0]] == [(0, 0, 0), RED]
    assert "Palette image converted to RGB." in loaded.notes


@pytest.mark.parametrize("ext", ["png", "gif"])
def test_palette_with_transparency(tmp_path, ext):
    loaded = load_image(save(tmp_path, palette_image(), f"p.{ext}", transparency=0))
    assert loaded.original_mode == "P"
    assert [tuple(p) for p in pixels(loaded)[0]] == [(0, 0, 0), RED]
    assert [tuple(p) for p in on_white(loaded)[0]] == [WHITE, RED]
    assert TRANSPARENT_NOTE in loaded.notes


@pytest.mark.parametrize("fmt, ext", [("GIF", "gif"), ("WEBP", "webp"), ("PNG", "png")])
def test_animated_images_use_first_frame(tmp_path, fmt, ext):
    frames = [Image.new("RGB", (12, 8), colour) for colour in (RED, (0, 255, 0), BLUE)]
    kwargs = {"lossless": True} if fmt == "WEBP" else {}
    path = save(tmp_path, frames[0], f"anim.{ext}", format=fmt, save_all=True,
                append_images=frames[1:], duration=100, loop=0, **kwargs)
    loaded = load_image(path)
    check_rgb(loaded)
    assert loaded.frame_count == 3
    assert f"Animated {fmt} with 3 frames: using the first frame." in loaded.notes
    assert np.abs(pixels(loaded) - RED).max() <= 2


def test_multi_page_tiff_uses_first_page(tmp_path):
    pages = [Image.new("RGB", (6, 4), colour) for colour in (BLUE, RED)]
    loaded = load_image(save(tmp_path, pages[0], "pages.tif", save_all=True, append_images=pages[1:]))
    assert loaded.frame_count == 2 and tuple(pixels(loaded)[0, 0]) == BLUE
    assert "Multi-page TIFF with 2 pages: using the first page." in loaded.notes


def test_still_gif(tmp_path):
    loaded = load_image(save(tmp_path, Image.new("RGB", (5, 5), BLUE), "s.gif"))
    assert loaded.format == "GIF" and loaded.frame_count == 1
    assert tuple(pixels(loaded)[0, 0]) == BLUE


@pytest.mark.parametrize("size", [(1, 1), (1, 2000), (3000, 1)])
@pytest.mark.parametrize("ext", ["png", "jpg", "webp"])
def test_tiny_and_extreme_aspect_ratios(tmp_path, size, ext):
    loaded = load_image(save(tmp_path, Image.new("RGB", size, (200, 100, 50)), f"x.{ext}"))
    check_rgb(loaded)
    assert loaded.size == size and loaded.original_size == size
    assert np.abs(pixels(loaded) - (200, 100, 50)).max() < 12


@pytest.mark.parametrize("orientation, top, words", [(6, RED, "rotated 90° clockwise"),
                                                      (8, BLUE, "rotated 90° counter-clockwise")])
@pytest.mark.parametrize("ext", ["jpg", "png"])
def test_exif_orientation_is_ignored_like_keras_and_applied_when_switched(tmp_path, orientation, top, words, ext):
    exif = Image.Exif()
    exif[0x0112] = orientation
    loaded = load_image(save(tmp_path, two_colour(40, 20), f"o.{ext}", exif=exif, quality=95))
    check_rgb(loaded)
    assert loaded.original_size == (40, 20) and loaded.exif_orientation == orientation
    assert loaded.size == (40, 20)  # as stored, as load_img gives it
    assert f"This photo has EXIF orientation {orientation} (a photo viewer shows it {words}); Keras' load_img ignores it" in loaded.notes[0]
    assert "Switch on 'apply EXIF orientation' to compare." in loaded.notes[0]
    turned = switched_image(loaded, ("apply-exif",))
    assert turned.size == (20, 40)
    got = np.asarray(turned).astype(int)
    assert np.abs(got[2, 10] - top).max() < 20  # top half
    assert np.abs(got[37, 10] - (BLUE if top == RED else RED)).max() < 20  # bottom half


def test_exif_orientation_applied_before_alpha(tmp_path):
    array = np.zeros((1, 2, 4), np.uint8)
    array[0, 0] = (0, 0, 0, 0)
    array[0, 1] = (255, 0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6
    loaded = load_image(save(tmp_path, Image.fromarray(array), "o.png", exif=exif))
    assert loaded.size == (2, 1)
    both = np.asarray(switched_image(loaded, ("apply-exif", "alpha-on-white"))).astype(int)
    assert [tuple(p) for p in both[:, 0]] == [WHITE, RED]
    assert np.asarray(switched_image(loaded, ("apply-exif",))).shape == (2, 1, 3)
    assert [tuple(p) for p in on_white(loaded)[0]] == [WHITE, RED]


def test_bytes_source_and_name():
    data = bytes_of(Image.new("RGB", (3, 2), RED), "PNG")
    assert load_image(data).source == "<bytes>"
    assert load_image(bytearray(data), name="<clipboard>").source == "<clipboard>"
    with pytest.raises(ImageError, match="<clipboard>"):
        load_image(b"nope", name="<clipboard>")


def test_pathlike_source(tmp_path):
    path = tmp_path / "a.png"
    Image.new("RGB", (3, 2), RED).save(path)
    assert load_image(path).source == str(path)


# --- refusals ------------------------------------------------------------------------


def assert_refused(source, name: str) -> str:
    with pytest.raises(ImageError) as info:
        load_image(source)
    message = str(info.value)
    assert type(info.value) is ImageError
    assert name in message and "\n" not in message and message.endswith(".")
    return message


def test_missing_file(tmp_path):
    assert "does not exist" in assert_refused(str(tmp_path / "nope.jpg"), "nope.jpg")


def test_directory(tmp_path):
    assert "folder" in assert_refused(str(tmp_path), str(tmp_path))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    assert "empty" in assert_refused(str(path), "empty.png")


def test_text_file(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("this is not an image\n" * 20)
    assert "not an image file" in assert_refused(str(path), "notes.jpg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"])
def test_truncated_files(tmp_path, fmt):
    data = bytes_of(noise(64, 64, seed=3), fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) // 2])
    assert_refused(str(path), path.name)


def test_truncated_jpeg_refused_even_if_pillow_allows_truncation(tmp_path, monkeypatch):
    data = bytes_of(noise(64, 64), "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert "truncated" in assert_refused(str(path), "cut.jpg")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # global state restored


def test_corrupt_png_data(tmp_path):
    data = bytearray(bytes_of(noise(32, 32), "PNG"))
    start = data.index(b"IDAT") + 4
    data[start : start + 40] = b"\x00" * 40  # wreck the zlib stream
    path = tmp_path / "bad.png"
    path.write_bytes(bytes(data))
    assert_refused(str(path), "bad.png")


def png_with_size(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(0, 5), (5, 0)])
def test_zero_size_image(tmp_path, size):
    path = tmp_path / "zero.png"
    path.write_bytes(png_with_size(*size))
    assert_refused(str(path), "zero.png")


@pytest.mark.parametrize("pixels_in_file", [150, 400])  # warning range (limit..2*limit) and error range
def test_decompression_bomb(tmp_path, monkeypatch, pixels_in_file):
    path = save(tmp_path, Image.new("RGB", (pixels_in_file // 10, 10)), "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    assert "too large" in assert_refused(path, "bomb.png")


def test_bomb_limit_still_applies_when_pillow_limit_disabled(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    monkeypatch.setattr(images, "MAX_PIXELS", 100)
    with pytest.raises(ImageError, match="too large"):
        load_image(bytes_of(Image.new("RGB", (20, 10)), "PNG"))
    assert load_image(bytes_of(Image.new("RGB", (10, 10)), "PNG")).size == (10, 10)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path):
    path = save(tmp_path, Image.new("RGB", (2, 2)), "secret.png")
    os.chmod(path, 0)
    try:
        assert "permission" in assert_refused(path, "secret.png")
    finally:
        os.chmod(path, 0o644)


@pytest.mark.parametrize("error", [OSError("disk"), ValueError("v"), SyntaxError("s"), struct.error("x"),
                                   EOFError(), MemoryError(), RuntimeError("r"), KeyError("k"),
                                   Image.DecompressionBombError("big")])
def test_every_exception_becomes_image_error(monkeypatch, error):
    def broken(*args, **kwargs):
        raise error
    monkeypatch.setattr(Image, "open", broken)
    with pytest.raises(ImageError, match="<bytes>"):
        load_image(b"anything")


def test_pillow_warnings_do_not_escape(monkeypatch):
    real_open = Image.open

    def noisy(*args, **kwargs):
        warnings.warn("Palette images with Transparency expressed in bytes", UserWarning)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Image, "open", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_image(bytes_of(Image.new("RGB", (2, 2)), "PNG")).size == (2, 2)


def test_decompression_bomb_warning_becomes_image_error(monkeypatch):
    def warns(*args, **kwargs):
        warnings.warn("big", Image.DecompressionBombWarning)
        raise AssertionError("the warning should have stopped the load")

    monkeypatch.setattr(Image, "open", warns)
    with pytest.raises(ImageError, match="too large"):
        load_image(b"anything")


def test_unsupported_source_type():
    with pytest.raises(ImageError):
        load_image(12345)  # type: ignore[arg-type]


# --- arrays ----------------------------------------------------------------------------


def test_image_from_rgb_array():
    array = np.array(noise(7, 5))
    loaded = image_from_array(array, "<clipboard>")
    check_rgb(loaded)
    assert loaded.source == "<clipboard>" and loaded.format is None and loaded.frame_count == 1
    assert loaded.original_size == (7, 5) and loaded.notes == ()
    assert np.array_equal(pixels(loaded), array)
    array[0, 0] = 0
    assert not np.array_equal(pixels(loaded), array)  # copied, not a view


def test_image_from_grey_and_rgba_arrays():
    grey = image_from_array(np.full((3, 4), 77, np.uint8))
    assert grey.original_mode == "L" and tuple(pixels(grey)[0, 0]) == (77, 77, 77)
    rgba = np.zeros((1, 2, 4), np.uint8)
    rgba[0, 1] = (255, 0, 0, 255)
    loaded = image_from_array(rgba[:, ::-1])  # non-contiguous view
    assert loaded.original_mode == "RGBA"
    assert [tuple(p) for p in pixels(loaded)[0]] == [RED, (0, 0, 0)]
    assert [tuple(p) for p in on_white(loaded)[0]] == [RED, WHITE]
    assert TRANSPARENT_NOTE in loaded.notes


@pytest.mark.parametrize("array", [np.zeros((4, 4, 3), np.float32), np.zeros((4, 4, 2), np.uint8),
                                   np.zeros((0, 4, 3), np.uint8), np.zeros(5, np.uint8)])
def test_image_from_bad_array(array):
    with pytest.raises(ImageError, match="<array>"):
        image_from_array(array)


# --- resizing and thumbnails -----------------------------------------------------------


def test_interpolation_names():
    assert INTERPOLATIONS == ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("size", [(7, 11), (224, 224), (300, 20)])
def test_resize_matches_keras_bit_for_bit(interpolation, size):
    img = noise(53, 41, seed=5)
    expected = np.asarray(img.resize((size[1], size[0]), Image.Resampling[interpolation.upper()]), dtype="float32")
    got = resize_for_model(img, size, interpolation)
    assert got.dtype == np.float32 and got.shape == (size[0], size[1], 3)
    assert np.array_equal(got, expected)


def test_resize_skipped_when_size_already_matches(monkeypatch):
    img = noise(11, 7)
    monkeypatch.setattr(Image.Image, "resize", lambda *a, **k: pytest.fail("resize should not be called"))
    assert np.array_equal(resize_for_model(img, (7, 11), "lanczos"), np.asarray(img, dtype="float32"))


def test_resize_default_is_nearest():
    img = noise(30, 30)
    expected = np.asarray(img.resize((10, 10), Image.Resampling.NEAREST), dtype="float32")
    assert np.array_equal(resize_for_model(img, (10, 10)), expected)


def test_unknown_interpolation():
    with pytest.raises(ConfigError) as info:
        resize_for_model(noise(4, 4), (2, 2), "cubic")
    assert all(name in str(info.value) for name in INTERPOLATIONS)


def test_thumbnail_clips_and_scales():
    array = np.full((112, 224, 3), 300.0)
    array[:, :112] = -50.0
    array[0, 0, 0] = np.nan
    thumb = to_thumbnail(array)
    assert thumb.dtype == np.uint8 and thumb.shape == (48, 96, 3)
    assert thumb[20, 10].tolist() == [0, 0, 0] and thumb[20, 90].tolist() == [255, 255, 255]


@pytest.mark.parametrize("shape, expected", [((1, 1, 3), (96, 96, 3)), ((2000, 1, 3), (96, 1, 3)),
                                             ((50, 200, 3), (24, 96, 3))])
def test_thumbnail_sizes(shape, expected):
    assert to_thumbnail(np.full(shape, 128.4)).shape == expected
    assert to_thumbnail(np.full(shape, 128.4), max_side=32).shape[:2] == tuple(
        max(1, round(side * 32 / max(shape[:2]))) for side in shape[:2])


def test_png_round_trip():
    thumb = np.asarray(noise(9, 6, seed=2))
    data = encode_png(thumb)
    assert data.startswith(b"\x89PNG")
    assert np.array_equal(decode_png(data), thumb)


def test_decode_png_refuses_other_data():
    with pytest.raises(ImageError):
        decode_png(bytes_of(Image.new("RGB", (2, 2)), "JPEG"))
    with pytest.raises(ImageError):
        decode_png(b"garbage")
    with pytest.raises(ImageError):
        encode_png(np.zeros((2, 2), np.float32))


# --- fuzzing ----------------------------------------------------------------------------


def seed_files() -> list[bytes]:
    rgb = noise(8, 6, seed=9)
    frames = [rgb, noise(8, 6, seed=10)]
    exif = Image.Exif()
    exif[0x0112] = 6
    return [
        bytes_of(rgb, "PNG"),
        bytes_of(rgb.convert("RGBA"), "PNG"),
        bytes_of(palette_image(), "PNG", transparency=0),
        bytes_of(rgb, "JPEG", exif=exif),
        bytes_of(rgb, "JPEG", progressive=True),
        bytes_of(Image.new("CMYK", (8, 6), (1, 2, 3, 4)), "JPEG"),
        bytes_of(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        bytes_of(rgb, "WEBP"),
        bytes_of(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True),
        bytes_of(rgb, "BMP"),
        bytes_of(rgb, "TIFF"),
        bytes_of(rgb, "TIFF", compression="tiff_lzw"),
    ]


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(("truncate", "flip", "insert")))
        at = draw(st.integers(0, len(data)))
        if op == "truncate":
            del data[at:]
        elif op == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


MAGICS = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\x00\x01\x00\x00WEBPVP8 ", b"BM", b"II*\x00"]


def test_fuzz_load_image_bytes(record_property):
    seeds = seed_files()
    stats = {"examples": 0, "loaded": 0}

    @settings(max_examples=2000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(mutated(seeds), st.binary(max_size=400),
                     st.tuples(st.sampled_from(MAGICS), st.binary(max_size=200)).map(b"".join)))
    def run(data: bytes) -> None:
        stats["examples"] += 1
        with mock.patch.object(Image, "MAX_IMAGE_PIXELS", 1 << 20):  # keep mutated headers cheap
            try:
                loaded = load_image(data)
            except ImageError as e:
                assert str(e) and "\n" not in str(e)
                return
        stats["loaded"] += 1
        check_rgb(loaded)
        assert loaded.frame_count >= 1

    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    record_property("fuzz_examples", stats["examples"])
    record_property("fuzz_seconds", round(seconds, 1))
    print(f"fuzz: {stats['examples']} examples, {stats['loaded']} loaded, {seconds:.1f} s")
    assert stats["examples"] >= 2000 and stats["loaded"] > 0, stats
