"""A photo's JPEG comment (a camera's or an editor's note, anything typed into it) is not
kept: re-encoding keeps the pixels alone, and Pillow writes a JPEG's comment back unless
it is dropped."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from customers.models import Customer


def test_a_jpeg_comment_is_not_kept(clerk_client, new_customer_data, media_root):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, format="JPEG", comment=b"Home: 7 Elm St")
    new_customer_data["photo"] = SimpleUploadedFile("me.jpg", buffer.getvalue(), "image/jpeg")

    clerk_client.post(reverse("customers:create"), new_customer_data)

    stored = (media_root / Customer.objects.get().photo.name).read_bytes()
    assert b"Elm St" not in stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
