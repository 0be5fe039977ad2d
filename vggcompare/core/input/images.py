"""Loading images exactly as Keras' ``load_img`` does, but safely, plus resizing and thumbnails.

`load_image` reads a file or raw bytes and returns a `LoadedImage`, or raises `ImageError` with one
sentence naming the file; no other exception type and no Pillow warning escapes it. Its ``image``
is what ``keras.utils.load_img`` gives: the first frame (of an animated GIF/WebP/APNG or a
multi-page TIFF), converted with ``img.convert("RGB")`` when its mode is not RGB. So, like Keras,
the EXIF orientation is NOT applied (a phone photo may reach the model turned 90°), an alpha
channel is dropped (transparent pixels show whatever colour they store), 16-bit values clip. The
first frame as decoded is kept in ``raw`` for the two switches of `core.input.model_view`.
Truncated files and images over Pillow's ``Image.MAX_IMAGE_PIXELS`` are errors.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageFile

from vggcompare.core.errors import ConfigError, ImageError

INTERPOLATIONS: tuple[str, ...] = ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")
MAX_PIXELS: int = Image.MAX_IMAGE_PIXELS or 89_478_485
FORMATS: tuple[str, ...] = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "DIB", "ICO", "PPM", "TGA", "AVIF")

_RESAMPLE = {name: Image.Resampling[name.upper()] for name in INTERPOLATIONS}
_ORIENTATION = {
    2: "mirrored left to right", 3: "rotated 180°", 4: "mirrored top to bottom",
    5: "mirrored and rotated 90° counter-clockwise", 6: "rotated 90° clockwise",
    7: "mirrored and rotated 90° clockwise", 8: "rotated 90° counter-clockwise",
}
_ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
_lock = threading.Lock()  # guards the temporary LOAD_TRUNCATED_IMAGES and warnings state


@dataclass(frozen=True)
class LoadedImage:
    """An image ready for the models: 8-bit RGB, plus what it was and what was done to it."""

    image: Image.Image
    source: str
    format: str | None
    original_mode: str
    original_size: tuple[int, int]
    frame_count: int
    notes: tuple[str, ...]
    raw: Image.Image | None = None  # the first frame as decoded, before any conversion
    exif_orientation: int = 1  # 1 = upright; 2..8 = what a photo viewer would apply
    transparent: bool = False  # some pixel has alpha below 255
    data: bytes | None = None  # the file's bytes, for the loaders that decode it themselves (core.input.loaders)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the RGB image."""
        return self.image.size


def _pixel_limit() -> int:
    return Image.MAX_IMAGE_PIXELS or MAX_PIXELS

def _read(path: str) -> bytes:
    if not os.path.exists(path):
        raise ImageError(f"The image file '{path}' does not exist.")
    if os.path.isdir(path):
        raise ImageError(f"'{path}' is a folder, not an image file.")
    try:
        with open(path, "rb") as f:
            return f.read()
    except PermissionError:
        raise ImageError(f"The image file '{path}' cannot be opened: permission denied.") from None
    except (OSError, MemoryError) as e:
        raise ImageError(f"The image file '{path}' cannot be read ({e.__class__.__name__}).") from None


def _transparent(im: Image.Image) -> bool:
    if im.mode not in _ALPHA_MODES and "transparency" not in im.info:
        return False
    return im.convert("RGBA").getextrema()[3][0] < 255


def _to_rgb(im: Image.Image, fmt: str | None, notes: list[str], transparent: bool) -> Image.Image:
    """Convert to RGB exactly as Keras' load_img does (``convert("RGB")``), saying what that did."""
    mode = im.mode
    if transparent:
        notes.append("This image has transparent pixels; Keras' load_img drops the alpha channel, so the model sees "
                     "the colours stored under them. Switch on 'transparent pixels on white' to compare.")
    elif mode in _ALPHA_MODES:
        notes.append("Fully opaque alpha channel dropped.")
    elif mode.startswith("I;16"):
        notes.append("16-bit image converted to 8-bit RGB the way Keras' load_img does (values above 255 clip).")
    elif mode in ("I", "F"):
        notes.append("32-bit image converted to 8-bit RGB the way Keras' load_img does (values outside 0-255 clip).")
    elif mode in ("L", "1"):
        notes.append("Greyscale image converted to RGB the way Keras' load_img does.")
    elif mode == "P":
        notes.append("Palette image converted to RGB.")
    elif mode != "RGB":
        notes.append(f"{mode} {fmt or 'image'} converted to RGB.")
    return im.copy() if mode == "RGB" else im.convert("RGB")


def _orientation(im: Image.Image, notes: list[str]) -> int:
    try:
        orientation = im.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - broken EXIF must not make a readable image unreadable
        notes.append("EXIF data is damaged: its orientation cannot be read (Keras' load_img ignores it anyway).")
        return 1
    if orientation not in _ORIENTATION:
        return 1
    notes.append(f"This photo has EXIF orientation {orientation} (a photo viewer shows it {_ORIENTATION[orientation]}); "
                 "Keras' load_img ignores it, so the model sees it as stored, turned from what a viewer shows. "
                 "Switch on 'apply EXIF orientation' to compare.")
    return int(orientation)


def _decode(data: bytes, name: str) -> LoadedImage:
    """Open, fully load and convert; Pillow's exceptions pass through to the caller."""
    Image.init()  # register every plugin, or Image.OPEN is empty in a fresh process
    formats = [f for f in FORMATS if f in Image.OPEN]
    with Image.open(io.BytesIO(data), formats=formats) as im:
        width, height = im.size
        if width <= 0 or height <= 0:
            raise ImageError(f"The image '{name}' has no pixels ({width}x{height}).")
        if width * height > _pixel_limit():
            raise Image.DecompressionBombError(f"{width}x{height}")
        frames = int(getattr(im, "n_frames", 1))
        if frames > 1:
            im.seek(0)
        im.load()
        fmt, mode = im.format, im.mode
        notes: list[str] = []
        if frames > 1:
            if fmt == "TIFF":
                notes.append(f"Multi-page TIFF with {frames} pages: using the first page.")
            else:
                notes.append(f"Animated {fmt} with {frames} frames: using the first frame.")
        orientation = _orientation(im, notes)
        raw, transparent = im.copy(), _transparent(im)
        out = _to_rgb(raw, fmt, notes, transparent)
    return LoadedImage(out, name, fmt, mode, (width, height), frames, tuple(notes), raw, orientation, transparent)


def load_image(source: str | os.PathLike | bytes, *, name: str | None = None) -> LoadedImage:
    """Read an image file (or raw bytes) and return it as 8-bit RGB, or raise ImageError."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        name = name or "<bytes>"
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = os.fsdecode(source)
        name = name or path
        data = _read(path)
    else:
        raise ImageError(f"Cannot load an image from a {type(source).__name__} object.")
    if not data:
        raise ImageError(f"The image file '{name}' is empty (0 bytes).")
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        truncated = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            return replace(_decode(data, name), data=data)
        except ImageError:
            raise
        except Image.UnidentifiedImageError:
            msg = f"'{name}' is not an image file this program can read (supported: {', '.join(FORMATS)})."
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            msg = f"The image '{name}' is too large: it has more than {_pixel_limit():,} pixels."
        except MemoryError:
            msg = f"The image '{name}' is too large to fit in memory."
        except Exception as e:  # noqa: BLE001 - OSError, SyntaxError, struct.error, EOFError, ...
            detail = " ".join(str(e).split())[:100]
            what = "truncated" if "truncated" in detail.lower() else "damaged or in an unsupported variant"
            msg = f"The image file '{name}' is {what} ({e.__class__.__name__}: {detail})."
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    raise ImageError(msg)


def image_from_array(array: np.ndarray, name: str = "<array>") -> LoadedImage:
    """Wrap an HxWx3 (or HxW, or HxWx4) uint8 array as a LoadedImage."""
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.dtype != np.uint8 or not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ImageError(f"The image '{name}' must be an HxW, HxWx3 or HxWx4 uint8 array, "
                         f"not {array.dtype} with shape {array.shape}.")
    height, width = array.shape[:2]
    if height == 0 or width == 0:
        raise ImageError(f"The image '{name}' has no pixels ({width}x{height}).")
    if width * height > _pixel_limit():
        raise ImageError(f"The image '{name}' is too large: it has more than {_pixel_limit():,} pixels.")
    im = Image.fromarray(np.ascontiguousarray(array))
    notes: list[str] = []
    transparent = _transparent(im)
    rgb = _to_rgb(im, None, notes, transparent)
    return LoadedImage(rgb, name, None, im.mode, (width, height), 1, tuple(notes), im, 1, transparent)


def resize_for_model(image: Image.Image, size: tuple[int, int], interpolation: str = "nearest") -> np.ndarray:
    """Resize to (height, width) = size like keras load_img and return float32 HxWx3 in 0..255."""
    if interpolation not in _RESAMPLE:
        raise ConfigError(f"Unknown interpolation '{interpolation}'; choose one of {', '.join(INTERPOLATIONS)}.")
    height, width = (int(v) for v in size)
    if height <= 0 or width <= 0:
        raise ConfigError(f"The model input size must be positive, not {height}x{width}.")
    if image.mode != "RGB":
        image = image.convert("RGB")
    if image.size != (width, height):
        image = image.resize((width, height), _RESAMPLE[interpolation])
    return np.asarray(image, dtype="float32")


def to_thumbnail(array: np.ndarray, max_side: int = 96) -> np.ndarray:
    """Clip an HxWx3 float image in 0..255 to uint8 and resize so its longer side is max_side."""
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 3 or array.shape[2] != 3 or 0 in array.shape:
        raise ImageError(f"A thumbnail needs a non-empty HxWx3 array, not shape {array.shape}.")
    if max_side < 1:
        raise ConfigError(f"The thumbnail size must be at least 1, not {max_side}.")
    pixels = np.rint(np.clip(np.nan_to_num(array, nan=0.0), 0, 255)).astype(np.uint8)
    height, width = pixels.shape[:2]
    scale = max_side / max(height, width)
    new = (max(1, round(width * scale)), max(1, round(height * scale)))
    im = Image.fromarray(pixels)
    if new != im.size:
        im = im.resize(new, Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.NEAREST)
    return np.asarray(im, dtype=np.uint8).copy()


def encode_png(array_uint8: np.ndarray) -> bytes:
    """Encode an HxWx3 uint8 array (a thumbnail) as PNG bytes."""
    array = np.asarray(array_uint8)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3 or 0 in array.shape:
        raise ImageError(f"Only non-empty HxWx3 uint8 arrays can be saved as PNG, not {array.dtype} {array.shape}.")
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(buffer, "PNG")
    return buffer.getvalue()


def decode_png(data: bytes) -> np.ndarray:
    """Decode PNG bytes (from encode_png) back into an HxWx3 uint8 array."""
    loaded = load_image(data, name="<png>")
    if loaded.format != "PNG":
        raise ImageError(f"The thumbnail data is {loaded.format}, not PNG.")
    return np.asarray(loaded.image, dtype=np.uint8).copy()
