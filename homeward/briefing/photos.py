"""Checking and re-encoding a child's photo before it is stored.

A photo comes from a carer's phone or computer. Before Homeward keeps it:

1. it must be at most `MAX_BYTES` long, and a real JPEG or PNG image (what
   the bytes are, read by Pillow: the file's name and the browser's content
   type are not trusted);
2. its dimensions, read from the header before any pixel is decoded (so a
   small file that claims to be enormous, a "decompression bomb", is refused
   without being decoded), must be from `MIN_SIDE` to `MAX_SIDE` pixels a
   side and at most `MAX_PIXELS` in all;
3. it is decoded fully (a truncated or corrupt file is refused), turned the
   right way up from its EXIF orientation, put on white if it has
   transparency, made at most `STORED_SIDE` pixels a side, and written again
   as a new JPEG. Writing it again strips every piece of metadata the
   original carried: EXIF (the camera, the time, GPS coordinates of where it
   was taken), XMP, ICC profiles, PNG text chunks.

Only the re-encoded JPEG is stored (in the database, models.PhilomenaPhoto).
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from homeward.problems import Problem, Refused

MAX_BYTES = 5 * 1024 * 1024
MIN_SIDE = 100
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
STORED_SIDE = 1200
JPEG_QUALITY = 85
FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "MPO": "JPEG"}  # MPO: a JPEG some phones write

FIELD = "photo"


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int
    original_format: str
    sha256: str
    content_type: str = "image/jpeg"


# WeasyPrint, once imported, tells Pillow to load truncated images (filling
# the missing part with grey), for the whole process. A photo that is cut
# short must be refused, so its pixels are loaded with that switched off. The
# lock keeps two uploads from restoring each other's setting; a PDF being
# made meanwhile only loads complete images Homeward wrote itself.
_LOADING = threading.Lock()


@contextmanager
def _strict_loading():
    from PIL import ImageFile

    with _LOADING:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _refuse(message: str):
    raise Refused(Problem(FIELD, message))


def clean_photo(data: bytes | None) -> CleanPhoto:
    """The photo re-encoded as a JPEG without metadata, or `Refused` naming
    the field `photo` and the reason."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        _refuse("Choose a photo to upload")
    if len(data) > MAX_BYTES:
        _refuse(f"The photo must be smaller than {MAX_BYTES // (1024 * 1024)} MB: this file is "
                f"{len(data) / (1024 * 1024):.1f} MB")
    with warnings.catch_warnings():
        # Pillow warns about (and beyond twice its limit, refuses) images with
        # a huge number of pixels; the dimensions are checked here first.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _refuse(f"The photo must be at most {MAX_SIDE} pixels a side and {MAX_PIXELS // 1_000_000} million "
                    "pixels in all: this one is far larger")
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            _refuse("The file must be a photo in JPEG or PNG format")
        fmt = FORMATS.get(image.format or "")
        if fmt is None:
            kind = f"a {image.format} image" if image.format else "not a JPEG or PNG"
            _refuse(f"The photo must be a JPEG or PNG: this file is {kind}")
        width, height = image.size
        if width < MIN_SIDE or height < MIN_SIDE:
            _refuse(f"The photo must be at least {MIN_SIDE} by {MIN_SIDE} pixels: this one is {width} by {height}")
        if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
            _refuse(f"The photo must be at most {MAX_SIDE} pixels a side and {MAX_PIXELS // 1_000_000} million "
                    f"pixels in all: this one is {width} by {height}")
        try:
            image.verify()  # the file's structure (checksums of PNG chunks, ...)
            image = Image.open(io.BytesIO(data))
            with _strict_loading():
                image.load()  # every pixel: a truncated file fails here
            image = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, ValueError, SyntaxError,
                TypeError, KeyError, EOFError):
            _refuse("The photo could not be read: the file may be damaged. Try another copy")

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    image.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A new image from the pixels alone: nothing of the original's metadata
    # (exif, icc_profile, xmp, comments) is passed to the encoder.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    encoded = out.getvalue()
    return CleanPhoto(data=encoded, width=clean.width, height=clean.height, original_format=fmt,
                      sha256=hashlib.sha256(encoded).hexdigest())
