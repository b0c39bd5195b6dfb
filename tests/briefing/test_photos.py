"""A photo is checked and re-encoded before it is kept: a real JPEG or PNG,
within the size and dimension limits, turned the right way up, its metadata
(camera, time, GPS) stripped; anything else is refused naming the field
`photo`, and nothing is stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from homeward.access.models import AuditEvent
from homeward.briefing import photos
from homeward.briefing.models import PhilomenaPhoto, PhilomenaProfile
from homeward.briefing.services import philomena_photo_upload
from homeward.problems import Refused

from .conftest import gps_exif, image_bytes


def refused(world, data) -> str:
    with pytest.raises(Refused) as caught:
        philomena_photo_upload(actor=world.oakview_staff, child=world.callum, data=data)
    assert [p.field for p in caught.value.problems] == ["photo"]
    assert not PhilomenaPhoto.objects.exists()
    assert not PhilomenaProfile.objects.filter(version__gt=0).exists()
    return caught.value.problems[0].message


def test_a_file_that_is_not_an_image_is_refused(world):
    assert refused(world, b"%PDF-1.7\n1 0 obj << >> endobj\n" * 50) == "The file must be a photo in JPEG or PNG format"
    assert "JPEG or PNG" in refused(world, b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")


def test_an_empty_upload_is_refused(world):
    assert refused(world, b"") == "Choose a photo to upload"
    assert refused(world, None) == "Choose a photo to upload"


def test_an_image_of_another_format_is_refused_saying_what_it_is(world):
    assert refused(world, image_bytes(300, 300, "GIF")) == "The photo must be a JPEG or PNG: this file is a GIF image"


def test_a_photo_over_five_megabytes_is_refused_before_it_is_read(world):
    big = image_bytes(300, 300, "PNG") + b"\0" * photos.MAX_BYTES
    assert refused(world, big).startswith("The photo must be smaller than 5 MB")


def test_a_photo_too_small_or_too_large_in_pixels_is_refused(world):
    assert "at least 100 by 100 pixels: this one is 99 by 400" in refused(world, image_bytes(99, 400))
    assert "at most 8000 pixels a side" in refused(world, image_bytes(8001, 100))


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(world):
    # A PNG that claims 20000 x 20000 pixels in a file of a few hundred bytes.
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 100_000
    assert "at most 8000 pixels a side" in refused(world, bomb.getvalue())
    # Under Pillow's own limit, but over Homeward's: refused before a pixel is decoded.
    wide = io.BytesIO()
    Image.new("1", (8000, 8000)).save(wide, format="PNG")
    assert "40 million pixels in all: this one is 8000 by 8000" in refused(world, wide.getvalue())


def test_a_damaged_photo_is_refused_even_once_weasyprint_lets_pillow_load_truncated_images(world):
    from PIL import ImageFile

    import weasyprint.images  # noqa: F401  (sets ImageFile.LOAD_TRUNCATED_IMAGES for the process)

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    whole = image_bytes(600, 600, "JPEG", colour=(10, 200, 30))
    assert refused(world, whole[: len(whole) // 2]) == ("The photo could not be read: the file may be damaged. "
                                                        "Try another copy")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back as it was


def test_the_stored_photo_is_a_new_jpeg_without_the_originals_metadata_and_the_right_way_up(world):
    original = image_bytes(800, 600, "JPEG", exif=gps_exif())
    assert b"PhoneMaker" in original and Image.open(io.BytesIO(original)).getexif().get(0x8825)
    stored = philomena_photo_upload(actor=world.oakview_staff, child=world.callum, data=original)
    data = bytes(stored.data)
    assert data[:3] == b"\xff\xd8\xff" and stored.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert b"PhoneMaker" not in data and b"Model X" not in data and b"2025:03:27" not in data
    # Orientation 6 (turn 90 degrees): stored upright, so taller than wide.
    assert (stored.width, stored.height) == (600, 800) == image.size
    assert stored.original_format == "JPEG" and stored.size_bytes == len(data)


def test_a_large_png_with_transparency_is_flattened_onto_white_and_made_at_most_1200_pixels(world):
    stored = philomena_photo_upload(actor=world.oakview_staff, child=world.callum,
                                    data=image_bytes(2400, 1800, "PNG", mode="RGBA", colour=(0, 0, 0)))
    image = Image.open(io.BytesIO(bytes(stored.data)))
    assert image.size == (1200, 900) and image.mode == "RGB"
    r, g, b = image.getpixel((600, 450))
    assert 120 <= r <= 135 and r == g == b  # half-transparent black on white: grey
    assert stored.original_format == "PNG"


def test_an_upload_is_audited_without_the_image(world):
    stored = philomena_photo_upload(actor=world.oakview_staff, child=world.callum, data=image_bytes(400, 500))
    event = AuditEvent.objects.get(action="create", object_type="philomenaphoto")
    assert event.object_id == str(stored.pk) and event.child_id == world.callum.pk
    assert event.actor_username == "oakview.staff"
    assert event.payload["width"] == 400 and "data" not in event.payload
