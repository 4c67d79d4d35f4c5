import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from nanxi import images
from tests.factories import photo


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_allowed_formats_are_reencoded_as_jpeg_with_server_names(fmt):
    result = images.process_upload(photo(name="../../etc/passwd.jpg", fmt=fmt))
    assert result.image.name.endswith(".jpg") and "/" not in result.image.name
    assert "passwd" not in result.image.name
    with Image.open(io.BytesIO(result.image.read())) as out:
        assert out.format == "JPEG"


def test_location_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 13.0, 40.0)}  # GPS IFD: 31°13'40"N
    exif[0x010F] = "PhoneMaker"
    upload = photo(exif=exif.tobytes())
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif()  # the test photo really carries EXIF
    result = images.process_upload(upload)
    with Image.open(io.BytesIO(result.image.read())) as out:
        assert not out.getexif()
        assert "exif" not in out.info


def test_thumbnail_is_small():
    result = images.process_upload(photo(size=(2000, 1000)))
    with Image.open(io.BytesIO(result.thumbnail.read())) as thumb:
        assert max(thumb.size) <= 480


def test_six_megabytes_is_refused():
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8" + b"0" * (6 * 1024 * 1024), "image/jpeg"
    )
    with pytest.raises(ValidationError, match="5 MB"):
        images.process_upload(big)


def test_text_file_named_jpg_is_refused():
    fake = SimpleUploadedFile("notes.jpg", b"this is not a picture", "image/jpeg")
    with pytest.raises(ValidationError) as refused:
        images.process_upload(fake)
    assert refused.value.code == "unreadable"


def test_gif_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ValidationError) as refused:
        images.process_upload(
            SimpleUploadedFile("a.gif", buffer.getvalue(), "image/gif")
        )
    assert refused.value.code == "format"


def test_decompression_bomb_is_refused_without_decoding():
    # A tiny PNG that claims 10000 × 10000 pixels (100 megapixels).
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 100_000
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), "image/png")
    with pytest.raises(ValidationError) as refused:
        images.process_upload(bomb)
    assert refused.value.code in {"too_many_pixels", "unreadable"}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_just_over_the_pixel_limit_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (5001, 5000)).save(buffer, "PNG")
    with pytest.raises(ValidationError) as refused:
        images.process_upload(
            SimpleUploadedFile("wide.png", buffer.getvalue(), "image/png")
        )
    assert refused.value.code == "too_many_pixels"
