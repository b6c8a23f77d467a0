"""Re-encoding of uploaded customer photos, and keeping them across a refused save."""

import base64
import mimetypes
import uuid
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import PurePath

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageOps

MAX_PHOTO_SIDE = 1024
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def reencode_photo(upload):
    """Return a clean copy of an uploaded, already verified image.

    Decoding and encoding again drops anything that is not pixels: EXIF metadata (camera
    GPS position included), a JPEG's comment (which Pillow would write back) and whatever
    bytes were appended after the image data. The photo
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
        image.info.pop("comment", None)
        output = BytesIO()
        image.save(output, format=image_format)
    name = PurePath(upload.name).with_suffix(EXTENSIONS[image_format]).name
    return SimpleUploadedFile(name, output.getvalue(), content_type=CONTENT_TYPES[image_format])


# A photo chosen on a form that was refused (an error in any field, someone else's save) is
# kept here, already checked and re-encoded, so the next try saves it without choosing it
# again. The page carries a signed token naming the file; the file goes once it is saved,
# dropped or replaced, else after PENDING_PHOTO_KEPT_FOR (remove_expired_pending_photos).
PENDING_PHOTOS = "pending-photos"
PENDING_PHOTO_KEPT_FOR = timedelta(hours=24)
PENDING_PHOTO_SALT = "customers.pending-photo"
PREVIEW_SIDE = 192  # twice the 96 px preview, for high-density screens


class PendingPhotoRefused(Exception):
    """A token that does not name a photo this person chose; the message says what to do."""


@dataclass(frozen=True)
class PendingPhoto:
    token: str
    file_name: str  # in storage
    name: str  # the chosen file's name, as the person knows it

    @classmethod
    def keep(cls, photo, *, user):
        """Store ``photo`` (a checked, re-encoded upload) for ``user``'s next try."""
        extension = PurePath(photo.name).suffix.lower()
        photo.seek(0)
        file_name = default_storage.save(
            f"{PENDING_PHOTOS}/{uuid.uuid4().hex}{extension}", ContentFile(photo.read())
        )
        remove_expired_pending_photos()
        name = photo.name[-100:]
        token = signing.dumps(
            {"file": file_name, "name": name, "user": user.pk}, salt=PENDING_PHOTO_SALT
        )
        return cls(token=token, file_name=file_name, name=name)

    @classmethod
    def from_token(cls, token, *, user):
        """The photo ``token`` names, if ``user`` chose it less than a day ago."""
        try:
            kept = signing.loads(token, salt=PENDING_PHOTO_SALT, max_age=PENDING_PHOTO_KEPT_FOR)
        except signing.SignatureExpired:
            raise PendingPhotoRefused(
                "The photo you chose earlier was kept for a day and has expired: choose it again."
            ) from None
        except signing.BadSignature:
            raise PendingPhotoRefused(
                "The photo chosen earlier could not be checked, so it was not used: choose "
                "it again."
            ) from None
        if kept.get("user") != user.pk:
            raise PendingPhotoRefused(
                "The photo chosen earlier was chosen by someone else, so it was not used: "
                "choose your own."
            )
        pending = cls(token=token, file_name=kept["file"], name=kept["name"])
        if not default_storage.exists(pending.file_name):
            raise PendingPhotoRefused(
                "The photo you chose earlier is no longer kept: choose it again."
            )
        return pending

    def as_upload(self):
        """The photo as an upload, for the customer's photo field to save."""
        with default_storage.open(self.file_name, "rb") as kept:
            content = kept.read()
        content_type = mimetypes.guess_type(self.name)[0] or "application/octet-stream"
        return SimpleUploadedFile(self.name, content, content_type=content_type)

    def preview(self):
        """A small copy of the photo, as a data: URL: it is shown on the form only to the
        person who chose it, and needs no address of its own."""
        with default_storage.open(self.file_name, "rb") as kept, Image.open(kept) as image:
            image_format = image.format
            image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
            output = BytesIO()
            image.save(output, format=image_format)
        encoded = base64.b64encode(output.getvalue()).decode("ascii")
        return f"data:{CONTENT_TYPES[image_format]};base64,{encoded}"

    def discard(self):
        default_storage.delete(self.file_name)


def remove_expired_pending_photos():
    """Remove the photos kept for a refused form more than a day ago. Returns how many."""
    try:
        _, names = default_storage.listdir(PENDING_PHOTOS)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - PENDING_PHOTO_KEPT_FOR
    removed = 0
    for name in names:
        path = f"{PENDING_PHOTOS}/{name}"
        try:
            expired = default_storage.get_modified_time(path) < cutoff
        except FileNotFoundError:  # removed by another server meanwhile
            continue
        if expired:
            default_storage.delete(path)
            removed += 1
    return removed
