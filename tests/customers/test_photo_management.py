"""The photo on the customer form: shown itself, replaced or removed, and its old files
deleted once the change is committed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from tests.factories import image_upload, make_customer
from tests.forms import field_errors, form_data


@pytest.fixture
def ada(downtown):
    return make_customer(first_name="Ada", stores=[downtown], photo=image_upload())


def edit(client, customer, files=None, **changes):
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url), "customer-form")
    data.update(changes)
    data.update(files or {})
    return client.post(url, data)


def test_the_edit_page_shows_the_photo_not_its_file_name(clerk_client, ada):
    html = clerk_client.get(reverse("customers:edit", args=[ada.pk])).content.decode()

    assert f'src="{reverse("customers:photo", args=[ada.pk])}"' in html
    assert ">Replace</label>" in html and ">Remove</label>" in html
    assert ada.photo.name not in html


def test_a_new_customer_gets_an_upload_button(clerk_client, db):
    html = clerk_client.get(reverse("customers:create")).content.decode()

    assert ">Upload new image</label>" in html


def test_a_replaced_photo_file_is_deleted_after_the_commit(
    clerk_client, ada, media_root, django_capture_on_commit_callbacks
):
    old = media_root / ada.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        edit(clerk_client, ada, files={"photo": image_upload("new.png", image_format="PNG")})

    ada.refresh_from_db()
    assert not old.exists()
    assert (media_root / ada.photo.name).exists()


def test_a_removed_photo_file_is_deleted_after_the_commit(
    clerk_client, ada, media_root, django_capture_on_commit_callbacks
):
    old = media_root / ada.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        edit(clerk_client, ada, **{"photo-clear": "on"})

    assert not Customer.objects.get(pk=ada.pk).photo
    assert not old.exists()


def test_a_refused_save_keeps_the_old_photo(clerk_client, ada, media_root):
    old = media_root / ada.photo.name

    edit(clerk_client, ada, email="not-an-email", **{"photo-clear": "on"})

    assert old.exists()
    assert Customer.objects.get(pk=ada.pk).photo


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ],
)
def test_other_formats_get_a_message_naming_the_accepted_ones(
    clerk_client, new_customer_data, name, content
):
    new_customer_data["photo"] = SimpleUploadedFile(name, content)

    response = clerk_client.post(reverse("customers:create"), new_customer_data)

    assert "Upload a JPEG, PNG or WebP photo" in " ".join(field_errors(response, "photo"))
