"""Photo uploads: check, decode with Pillow, re-encode without metadata, name on the server."""

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
THUMBNAIL_SIZE = (480, 480)

# Pillow refuses to decode images over twice this (DecompressionBombError) and warns
# above it; we refuse anything above it ourselves, before decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile


def process_upload(upload) -> ProcessedImage:
    """Validate one uploaded photo and return clean JPEG files named by the server."""
    name = getattr(upload, "name", "")
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("%(name)s is larger than 5 MB. Please choose a smaller photo."),
            params={"name": name},
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("%(name)s is not a JPEG, PNG or WebP photo."),
                    params={"name": name},
                    code="format",
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _(
                        "%(name)s has more than 25 megapixels. Please choose a smaller photo."
                    ),
                    params={"name": name},
                    code="too_many_pixels",
                )
            probe.load()
            picture = ImageOps.exif_transpose(probe)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
    ) as exc:
        raise ValidationError(
            _("%(name)s could not be read as a photo."),
            params={"name": name},
            code="unreadable",
        ) from exc
    picture = _flatten(picture)
    stem = uuid.uuid4().hex
    thumb = picture.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return ProcessedImage(
        image=ContentFile(_jpeg(picture), name=f"{stem}.jpg"),
        thumbnail=ContentFile(_jpeg(thumb), name=f"{stem}_thumb.jpg"),
    )


def _flatten(picture: Image.Image) -> Image.Image:
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, "white")
        background.paste(picture, mask=picture.getchannel("A"))
        return background
    return picture.convert("RGB")


def _jpeg(picture: Image.Image) -> bytes:
    # A new file from pixels only: no EXIF (location), no ICC, no comments survive.
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def attach(photo, processed: ProcessedImage) -> None:
    """Put a processed photo and its thumbnail into a photo row's `image` and `thumbnail`.

    The one place a photo's files are written; the caller saves the row.
    """
    photo.image.save(processed.image.name, processed.image, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
