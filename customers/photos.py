"""Re-encoding of uploaded customer photos."""

from io import BytesIO
from pathlib import PurePath

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps

MAX_PHOTO_SIDE = 1024
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def reencode_photo(upload):
    """Return a clean copy of an uploaded, already verified image.

    Decoding and encoding again drops anything that is not pixels: EXIF metadata (camera
    GPS position included) and whatever bytes were appended after the image data. The photo
    is turned upright and scaled down to at most 1024 pixels a side, which is plenty for a
    customer card and keeps list pages light.
    """
    image_format = upload.image.format
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        output = BytesIO()
        image.save(output, format=image_format)
    name = PurePath(upload.name).with_suffix(EXTENSIONS[image_format]).name
    return SimpleUploadedFile(name, output.getvalue(), content_type=CONTENT_TYPES[image_format])
