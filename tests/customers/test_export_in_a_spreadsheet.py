"""The honest test of the exports: open them in a real spreadsheet.

LibreOffice Calc (Debian's libreoffice-calc-nogui) loads the CSV or the workbook and saves
it again as CSV, each cell as Calc shows it: a cell it ran as a formula comes back as the
formula's result, a number that lost its leading zero comes back without it.
"""

import csv
import io
import os
import shutil
import subprocess

import pytest
from django.urls import reverse

from tests.factories import make_customer

SOFFICE = shutil.which("soffice")
HOSTILE_NOTES = ["=1+1", "+1+2", "-3+4", "@SUM(1,2)", '=HYPERLINK("http://evil.example","x")']


def through_calc(text, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text(text, encoding="utf-8")
    return calc_rows(source, tmp_path)


def calc_rows(source, tmp_path):
    """The rows of ``source`` (a .csv or .xlsx) as Calc shows them, saved by Calc as CSV."""
    if not SOFFICE:
        message = "LibreOffice (apt-get install libreoffice-calc-nogui) is needed here."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, double quote, UTF-8
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    saved = (tmp_path / "out" / source.with_suffix(".csv").name).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(saved)))


def test_calc_runs_a_raw_formula_so_this_test_can_fail(tmp_path):
    assert through_calc("notes\n=1+1\n", tmp_path)[1] == ["2"]


def test_exported_cells_stay_text_in_calc(manager_client, downtown, tmp_path):
    for notes in HOSTILE_NOTES:
        make_customer(notes=notes, stores=[downtown])
    response = manager_client.get(reverse("customers:export"), {"sort": "created"})
    exported = b"".join(response.streaming_content).decode()

    rows = through_calc(exported, tmp_path)

    notes_column = rows[0].index("notes")
    assert [row[notes_column] for row in rows[1:]] == [f"'{notes}" for notes in HOSTILE_NOTES]


def test_the_workbook_opens_in_calc_with_every_cell_as_exported(
    manager_client, boston_customer, tmp_path
):
    response = manager_client.get(reverse("customers:export_xlsx"))
    workbook = tmp_path / "customers.xlsx"
    workbook.write_bytes(b"".join(response.streaming_content))

    header, row = calc_rows(workbook, tmp_path)

    cells = dict(zip(header, row, strict=True))
    assert cells["First name"] == "Sofía" and cells["Last name"] == "García"
    assert cells["Zip code"] == "02108"
    assert cells["Phone"] == "+16175550123"
    assert cells["Customer ID number"] == "0071"
    assert cells["Date of birth"] == "1990-01-31"
    assert cells["Notes"] == boston_customer.notes  # shown as typed, never run
    assert cells["Balance"] == "300"
    assert cells["Stores"] == "DT01"
