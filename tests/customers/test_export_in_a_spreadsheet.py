"""The honest test of formula neutralisation: open the export in a real spreadsheet.

LibreOffice Calc (Debian's libreoffice-calc-nogui) loads the CSV and saves it again as CSV:
a cell it ran as a formula comes back as the formula's result.
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
    if not SOFFICE:
        message = "LibreOffice (apt-get install libreoffice-calc-nogui) is needed here."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    source = tmp_path / "export.csv"
    source.write_text(text, encoding="utf-8")
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return list(csv.reader(io.StringIO((tmp_path / "out" / "export.csv").read_text())))


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
