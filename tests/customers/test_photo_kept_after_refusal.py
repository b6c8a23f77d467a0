"""A photo chosen on the customer form survives a refused save (issue 22, point 8): it is
kept, already checked, with a signed token on the page, shown again, and saved by the next
try without being chosen again. A token that is not this person's, or too old, is refused
beside the photo field."""

import io
import os
import re
import time

import pytest
from django.core import signing
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from customers.models import Customer
from customers.photos import PENDING_PHOTO_SALT, PENDING_PHOTOS, PendingPhoto
from tests.factories import image_upload, make_customer, make_user
from tests.forms import field_errors, form_data

NEW_URL = reverse("customers:create")


def pending_files(media_root):
    folder = media_root / PENDING_PHOTOS
    return sorted(folder.iterdir()) if folder.exists() else []


def refused_with_photo(client, data, name="portrait.jpg"):
    """Post the New Customer form with a photo and no last name: refused."""
    data.update(last_name="", photo=image_upload(name, size=(320, 240)))
    response = client.post(NEW_URL, data)
    assert response.status_code == 200
    assert field_errors(response, "last_name") == ["This field is required."]
    return response


def test_a_refused_save_keeps_the_photo_and_shows_it_again(
    clerk_client, new_customer_data, media_root
):
    response = refused_with_photo(clerk_client, new_customer_data)

    html = response.content.decode()
    assert "Photo chosen: <strong>portrait.jpg</strong> — will be saved with the customer." in html
    assert re.search(r'<img src="data:image/jpeg;base64,[^"]+" alt="The photo chosen', html)
    assert form_data(response, "customer-form")["photo-pending"] != [""]
    assert "Don’t use this photo" in html
    assert len(pending_files(media_root)) == 1


def test_the_corrected_save_stores_the_kept_photo_without_choosing_it_again(
    clerk_client, new_customer_data, media_root
):
    refused = refused_with_photo(clerk_client, new_customer_data)
    data = form_data(refused, "customer-form")
    data["last_name"] = "Lovelace"

    response = clerk_client.post(NEW_URL, data)  # no file this time

    assert response.status_code == 302
    customer = Customer.objects.get(email="ada@example.com")
    with Image.open(media_root / customer.photo.name) as photo:
        assert photo.size == (320, 240)
    assert pending_files(media_root) == []  # used, then removed


def test_a_second_refusal_keeps_the_same_photo(clerk_client, new_customer_data, media_root):
    first = refused_with_photo(clerk_client, new_customer_data)
    data = form_data(first, "customer-form")
    data["email"] = "not-an-email"

    second = clerk_client.post(NEW_URL, data)

    assert "Photo chosen: <strong>portrait.jpg</strong>" in second.content.decode()
    assert form_data(second, "customer-form")["photo-pending"] == data["photo-pending"]
    assert len(pending_files(media_root)) == 1


def test_another_photo_chosen_replaces_the_kept_one(clerk_client, new_customer_data, media_root):
    refused = refused_with_photo(clerk_client, new_customer_data)
    data = form_data(refused, "customer-form")
    data.update(last_name="Lovelace", photo=image_upload("other.png", image_format="PNG"))

    clerk_client.post(NEW_URL, data)

    customer = Customer.objects.get(email="ada@example.com")
    assert customer.photo.name.endswith(".png")
    assert pending_files(media_root) == []


def test_a_dropped_photo_is_not_saved(clerk_client, new_customer_data, media_root):
    refused = refused_with_photo(clerk_client, new_customer_data)
    data = form_data(refused, "customer-form")
    data.update({"last_name": "Lovelace", "photo-pending-drop": "on"})

    clerk_client.post(NEW_URL, data)

    assert not Customer.objects.get(email="ada@example.com").photo
    assert pending_files(media_root) == []


def test_a_forged_token_is_refused_beside_the_photo_field(clerk_client, new_customer_data):
    new_customer_data["photo-pending"] = "forged:token:value"

    response = clerk_client.post(NEW_URL, new_customer_data)

    assert response.status_code == 200
    assert field_errors(response, "photo") == [
        "The photo chosen earlier could not be checked, so it was not used: choose it again."
    ]
    assert not Customer.objects.exists()


def test_a_token_naming_another_file_is_refused(clerk_client, clerk, new_customer_data):
    """A token is signed: changing the file it names breaks the signature."""
    token = PendingPhoto.keep(image_upload(), user=clerk).token
    payload = signing.loads(token, salt=PENDING_PHOTO_SALT)
    tampered = token.replace(
        signing.b64_encode(signing.JSONSerializer().dumps(payload)).decode(),
        signing.b64_encode(
            signing.JSONSerializer().dumps({**payload, "file": "customers/photos/x.jpg"})
        ).decode(),
    )
    assert tampered != token
    new_customer_data["photo-pending"] = tampered

    response = clerk_client.post(NEW_URL, new_customer_data)

    assert field_errors(response, "photo") == [
        "The photo chosen earlier could not be checked, so it was not used: choose it again."
    ]


def test_another_persons_token_is_refused(client, new_customer_data, media_root):
    """A clerk's kept photo cannot be saved by someone else, who got hold of its token."""
    other = make_user("other-clerk", groups=["Store staff"])
    token = PendingPhoto.keep(image_upload(), user=other).token
    new_customer_data["photo-pending"] = token

    response = client.post(NEW_URL, new_customer_data)  # signed in as the clerk

    assert response.status_code == 200
    assert field_errors(response, "photo") == [
        "The photo chosen earlier was chosen by someone else, so it was not used: choose your own."
    ]
    assert not Customer.objects.exists()
    assert len(pending_files(media_root)) == 1  # still the other person's


def test_an_expired_token_is_refused(clerk_client, clerk, new_customer_data, monkeypatch):
    token = PendingPhoto.keep(image_upload(), user=clerk).token
    later = signing.time.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    new_customer_data["photo-pending"] = token

    response = clerk_client.post(NEW_URL, new_customer_data)

    assert field_errors(response, "photo") == [
        "The photo you chose earlier was kept for a day and has expired: choose it again."
    ]


def test_a_kept_photo_removed_meanwhile_is_refused(
    clerk_client, clerk, new_customer_data, media_root
):
    pending = PendingPhoto.keep(image_upload(), user=clerk)
    pending.discard()
    new_customer_data["photo-pending"] = pending.token

    response = clerk_client.post(NEW_URL, new_customer_data)

    assert field_errors(response, "photo") == [
        "The photo you chose earlier is no longer kept: choose it again."
    ]


def test_a_photo_chosen_on_a_stale_edit_is_kept_for_keep_my_values(
    clerk_client, downtown, media_root
):
    ada = make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])
    url = reverse("customers:edit", args=[ada.pk])
    data = form_data(clerk_client.get(url), "customer-form")
    Customer.objects.filter(pk=ada.pk).update(version=ada.version + 1)  # someone saved
    data["photo"] = image_upload("ada.jpg")

    conflict = clerk_client.post(url, data)

    assert "Photo chosen: <strong>ada.jpg</strong>" in conflict.content.decode()
    clerk_client.post(url, form_data(conflict, "customer-form"))  # Keep my values
    assert Customer.objects.get(pk=ada.pk).photo
    assert pending_files(media_root) == []


@pytest.mark.parametrize(("age_hours", "kept"), [(25, False), (1, True)])
def test_kept_photos_older_than_a_day_are_removed_with_expired_files(
    clerk, media_root, age_hours, kept
):
    pending = PendingPhoto.keep(image_upload(), user=clerk)
    path = media_root / pending.file_name
    then = time.time() - age_hours * 3600
    os.utime(path, (then, then))

    call_command("remove_expired_files", stdout=io.StringIO())

    assert path.exists() is kept
