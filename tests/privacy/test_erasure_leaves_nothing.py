"""After an erasure, no file, row or query string held or served anywhere names the person:
not an export written before it, nor the search that found them, nor an import's upload
or its findings, nor what staff wrote on their accounts."""

import gzip
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.models import Export
from house_accounts.models import HouseAccount
from house_accounts.services import house_account_post
from imports.models import CustomerImport
from memberships.models import MembershipAccount
from tests.factories import make_customer
from tests.privacy.conftest import TRACES
from tests.privacy.test_erasure import text_columns_holding

# A background export reads the database through a connection of its own on PostgreSQL
# (COPY): what the test makes must be committed for it to see.
pytestmark = pytest.mark.django_db(transaction=True)


def export_in_the_background(client, url_name, query):
    """The list's export, written to a file by the job (the export's id)."""
    client.post(f"{reverse(url_name)}?{query}")
    return Export.objects.latest("pk")


def upload(client, content):
    data = {"match": "email", "update": "on", "encoding": "utf-8", "date_format": "%Y-%m-%d"}
    client.post(reverse("imports:upload"), {**data, "upload": SimpleUploadedFile(
        "people.csv", content.encode())})  # fmt: skip
    return CustomerImport.objects.latest("pk")


def readable(path):
    """A file's bytes as a person would read them: a gzip or a zip (a workbook) opened."""
    content = path.read_bytes()
    if content.startswith(b"\x1f\x8b"):
        return gzip.decompress(content)
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(path) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return content


def files_holding(media_root, text):
    return [
        str(path.relative_to(media_root))
        for path in media_root.rglob("*")
        if path.is_file() and text.lower().encode() in readable(path).lower()
    ]


@pytest.fixture
def everywhere(petra, zed, downtown, clerk, run_jobs):
    """Zebedee, found and copied everywhere before the erasure: searched for and exported
    (a file written in the background, in CSV and as a workbook, downloaded once), in an
    update import written and in one refused for another row's error (its upload kept for
    the error report), named by his membership's description and by his house account's
    references. Ada, exported by a search of her own, is not him."""
    MembershipAccount.objects.filter(customer=zed).update(description="Zebedee's family plan")
    account = HouseAccount.objects.get(customer=zed)
    for kind, reference in (("charge", "Quixote tab"), ("payment", "Cash from Z Quixote")):
        house_account_post(account=account, kind=kind, amount=Decimal("5.00"), store=downtown,
                           reference=reference, note="", actor=clerk)  # fmt: skip
    make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])
    exports = run_jobs(lambda: {
        "his": export_in_the_background(petra, "customers:export", "q=Quixote"),
        "all": export_in_the_background(petra, "customers:export_xlsx", ""),
        "ada": export_in_the_background(petra, "customers:export", "q=Ada"),
    })  # fmt: skip
    assert petra.get(reverse("export_download", args=[exports["his"].pk])).status_code == 200
    b"".join(petra.get(reverse("customers:export"), {"q": zed.email}).streaming_content)
    his_row = (
        f"first_name,last_name,email,stores,city\nZebedee,Quixote,{zed.email},DT01,Quillville\n"
    )
    written = run_jobs(lambda: upload(petra, his_row))
    run_jobs(lambda: petra.post(reverse("imports:commit", args=[written.pk])))
    refused = run_jobs(lambda: upload(petra, f"{his_row}Bad,Row,not-an-email,DT01,\n"))
    assert (CustomerImport.objects.get(pk=written.pk).status, refused.status) == (
        "done", "refused",
    )  # fmt: skip
    return exports


def test_no_row_file_or_search_names_them_after_an_erasure(
    petra, zed, everywhere, media_root, run_jobs
):
    assert text_columns_holding("Quixote") and files_holding(media_root, "Quixote")

    erased = run_jobs(lambda: petra.post(reverse("privacy:erase", args=[zed.pk]),
                                         {"name": "Zebedee Quixote"}))  # fmt: skip

    assert erased.status_code == 302
    assert {text: text_columns_holding(text) for text in TRACES} == {t: [] for t in TRACES}
    assert {text: files_holding(media_root, text) for text in TRACES} == {t: [] for t in TRACES}


def test_exports_that_held_them_are_gone_and_the_others_still_download(
    petra, zed, everywhere, run_jobs
):
    run_jobs(lambda: petra.post(reverse("privacy:erase", args=[zed.pk]),
                                {"name": "Zebedee Quixote"}))  # fmt: skip

    def download(name):
        return petra.get(reverse("export_download", args=[everywhere[name].pk])).status_code

    assert (download("his"), download("all"), download("ada")) == (404, 404, 200)
    page = petra.get(everywhere["his"].get_absolute_url()).content.decode()
    assert "This file was removed" in page and "Quixote" not in page
