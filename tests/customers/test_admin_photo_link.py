"""Django admin's customer page shows the photo through the back office's photo view
(issue 22, point 11: its link pointed at MEDIA_URL, which is not served, a 404)."""

from django.urls import reverse

from tests.factories import image_upload, make_customer


def test_django_admins_photo_link_opens_the_photo(client, superuser, downtown):
    ada = make_customer(first_name="Ada", stores=[downtown], photo=image_upload())
    client.force_login(superuser)

    page = client.get(reverse("admin:customers_customer_change", args=[ada.pk]))

    photo_url = reverse("customers:photo", args=[ada.pk])
    html = page.content.decode()
    assert f'<a href="{photo_url}"><img src="{photo_url}"' in html
    assert ada.photo.url not in html  # MEDIA_URL is not served: that was the 404
    response = client.get(photo_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
