"""Hostile and broken photo uploads are refused; stored photos carry nothing but pixels."""

import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from customers.models import Customer
from tests.factories import image_upload
from tests.forms import field_errors

NEW_URL = reverse("customers:create")

GPS_IFD = 0x8825


def png_declaring(width, height):
    """A tiny, valid PNG whose header declares a huge canvas (a decompression bomb)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3  # one filtered row is enough for Pillow to open it
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row))
        + chunk(b"IEND", b"")
    )


def with_gps(image_format):
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    return image_upload(f"phone.{image_format.lower()}", image_format=image_format, exif=exif)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("photo.jpg", b"just some text", content_type="image/jpeg"),
            "Upload a JPEG, PNG or WebP photo. This file is not one of those",
        ),
        (
            SimpleUploadedFile(
                "photo.html", b"<html><script>alert(1)</script></html>", content_type="text/html"
            ),
            "Upload a JPEG, PNG or WebP photo. This file is not one of those",
        ),
        (
            SimpleUploadedFile(
                "logo.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
                content_type="image/svg+xml",
            ),
            "Upload a JPEG, PNG or WebP photo. This file is not one of those",
        ),
        (
            SimpleUploadedFile("bomb.png", png_declaring(50_000, 50_000), content_type="image/png"),
            "Upload a JPEG, PNG or WebP photo. This file is not one of those",
        ),
        (
            SimpleUploadedFile("big.png", png_declaring(9_000, 9_000), content_type="image/png"),
            "This image is 9000×9000 pixels; use one of at most 40 megapixels.",
        ),
        (
            SimpleUploadedFile(
                "cut.jpg",
                image_upload(size=(400, 300)).read()[:1500],
                content_type="image/jpeg",
            ),
            "This image is damaged or incomplete; please upload it again.",
        ),
        (
            SimpleUploadedFile("anim.gif", image_upload().read(), content_type="image/gif"),
            None,  # a real JPEG under a .gif name is accepted: the content decides
        ),
        (
            image_upload("photo.gif", image_format="GIF"),
            "Upload a JPEG, PNG or WebP photo; this file is GIF.",
        ),
    ],
    ids=["text-as-jpg", "html", "svg", "bomb", "huge-canvas", "truncated", "misnamed", "gif"],
)
def test_bad_upload_is_refused_with_a_message(clerk_client, new_customer_data, upload, message):
    new_customer_data["photo"] = upload

    response = clerk_client.post(NEW_URL, new_customer_data)

    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert any(error.startswith(message) for error in field_errors(response, "photo"))
    assert not Customer.objects.exists()


def test_8_mb_file_is_refused_next_to_the_field(clerk_client, new_customer_data):
    new_customer_data["photo"] = SimpleUploadedFile(
        "huge.jpg", b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024), content_type="image/jpeg"
    )

    response = clerk_client.post(NEW_URL, new_customer_data)

    assert field_errors(response, "photo")
    assert not Customer.objects.exists()


def test_20_mb_request_is_refused_before_it_is_read(clerk_client, new_customer_data):
    new_customer_data["photo"] = SimpleUploadedFile(
        "huge.jpg", b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024), content_type="image/jpeg"
    )

    response = clerk_client.post(NEW_URL, new_customer_data)

    assert response.status_code == 413
    assert not Customer.objects.exists()


def test_stored_name_is_generated_never_the_users(clerk_client, new_customer_data, media_root):
    new_customer_data["photo"] = image_upload("../../etc/evil name.jpg")

    clerk_client.post(NEW_URL, new_customer_data)

    stored = Customer.objects.get().photo.name
    assert re.fullmatch(r"customers/photos/[0-9a-f]{32}\.jpg", stored)
    assert (media_root / stored).is_file()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_gps_position_is_stripped(clerk_client, new_customer_data, media_root, image_format):
    upload = with_gps(image_format)
    assert GPS_IFD in Image.open(io.BytesIO(upload.read())).getexif()
    upload.seek(0)
    new_customer_data["photo"] = upload

    clerk_client.post(NEW_URL, new_customer_data)

    with Image.open(media_root / Customer.objects.get().photo.name) as stored:
        assert GPS_IFD not in stored.getexif()
        assert stored.format == image_format
