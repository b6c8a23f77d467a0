"""Workbooks built to exhaust a server (the attacker's second visit, finding 1): a 1.5 KB
.xlsx with one cell at XFD1048576, one at GR150000, a 0.5 KB .ods whose row is repeated
a million times, a 5.6 KB .xls with a cell at IV65536, and an .xlsx whose one row
declares two million empty cells. python-calamine built each
one's whole cell rectangle (from 640 MB to 550 GB) and aborted the worker. Each is read
here as a stream, in bounded memory, and refused or reported by row; none is parsed in
the web request that uploads it, and no refused file is kept.

``files/`` holds the .xls and three workbooks LibreOffice Calc 7 wrote from
``files/libreoffice.csv`` (typed cells: numbers, dates, booleans, text on two lines).
"""

import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import CustomerImport
from imports.reading import FileProblem, open_table
from tests.imports.workbooks import ods_row, write_ods, write_sheet, write_xlsx

FILES = Path(__file__).parent / "files"
HEADER = ["first_name", "last_name", "email", "stores"]
ADA = ["Ada", "Lovelace", "ada@example.com", "DT01"]
# A reader's whole process, Python and Django included, must fit in this address space.
MEMORY_CAP = 300 * 2**20


def far_cell_xlsx(path):
    return write_xlsx(path / "far.xlsx", [HEADER, ADA], stray=("XFD1048576", "x"))


def wide_row_xlsx(path):
    return write_xlsx(path / "wide.xlsx", [HEADER, ADA], stray=("GR150000", "x"))


def repeated_row_ods(path):
    return write_ods(path / "repeated.ods", ods_row(HEADER) + ods_row(ADA, repeated=1_000_000))


def crowded_row_xlsx(path):
    """One row declaring 2,000,000 empty cells: 20 MB of XML in 40 kB of zip, with 200 kB
    of random bytes stored beside it, so that the whole file does not expand by more than
    the 200 times that the zip-bomb check refuses."""
    path = write_sheet(path / "crowded.xlsx", '<row r="1">' + '<c r="A1"/>' * 2_000_000 + "</row>")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/ballast.bin", os.urandom(200_000))
    return path


def far_cell_xls(path):
    return FILES / "far-cell.xls"


FAR_CELL = "row 1,048,576 has a value in column XFD (column 16,384); a customer file has at most"
REPEATED = "row 2 is repeated 1,000,000 times"
TOO_BIG_XLS = "the sheet needs more than 512 MB to open"
CROWDED = "a row of its xl/worksheets/sheet1.xml has more than 100,000 cells"
REFUSED = [
    (far_cell_xlsx, FAR_CELL), (repeated_row_ods, REPEATED), (far_cell_xls, TOO_BIG_XLS),
    (crowded_row_xlsx, CROWDED),
]  # fmt: skip


def read_in_capped_process(path):
    """Read every row of the file in a child process limited to MEMORY_CAP; what it
    printed: the rows it read, or the problem."""
    code = (
        "import django, sys; django.setup()\n"
        "from imports.reading import FileProblem, open_table\n"
        "try:\n"
        "    table = open_table(sys.argv[1], name=sys.argv[1])\n"
        "    print(sum(1 for _ in table.rows), 'rows')\n"
        "except FileProblem as problem:\n"
        "    print(problem)\n"
    )

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], preexec_fn=cap, capture_output=True, text=True,
        cwd=Path(__file__).parents[2], timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(("build", "message"), REFUSED)
def test_a_hostile_workbook_is_refused_in_bounded_memory(tmp_path, build, message):
    assert message in read_in_capped_process(build(tmp_path))


def test_a_value_in_column_gr_at_row_150000_is_one_row_too_wide(tmp_path):
    assert read_in_capped_process(wide_row_xlsx(tmp_path)) == "2 rows"
    rows = list(open_table(wide_row_xlsx(tmp_path), name="wide.xlsx").rows)
    assert [(line, len(cells)) for line, cells in rows] == [(2, 4), (150000, 200)]


def upload(client, path):
    data = {"match": "email", "encoding": "utf-8", "date_format": "%Y-%m-%d"}
    data["upload"] = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("imports:upload"), data)


@pytest.mark.django_db
@pytest.mark.parametrize(("build", "message"), REFUSED)
def test_an_upload_of_one_is_refused_by_the_job_and_its_file_removed(
    manager_client, downtown, run_jobs, media_root, tmp_path, build, message
):
    response = run_jobs(lambda: upload(manager_client, build(tmp_path)))

    job = CustomerImport.objects.get()
    assert response.url == job.get_absolute_url()
    assert job.status == CustomerImport.Status.FAILED
    page = manager_client.get(job.get_absolute_url()).content.decode()
    assert message in page
    assert not job.file and not list(media_root.rglob("*.*"))


@pytest.mark.django_db
def test_the_wide_row_is_a_row_error(manager_client, downtown, run_jobs, tmp_path):
    run_jobs(lambda: upload(manager_client, wide_row_xlsx(tmp_path)))

    job = CustomerImport.objects.get()
    assert (job.status, job.to_create, job.error_count) == ("refused", 1, 1)
    assert job.errors == [[150000, "", "", "This row has 200 fields; the header has 4."]]


@pytest.mark.django_db
def test_the_web_request_does_not_open_a_workbook(manager_client, downtown, tmp_path):
    """The upload only identifies the file (its first bytes, its zip directory); the
    job, once it runs, reads the header."""
    response = upload(manager_client, far_cell_xlsx(tmp_path))  # no job is run

    job = CustomerImport.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.status, job.header) == ("checking", [])


@pytest.mark.parametrize("name", ["libreoffice.xlsx", "libreoffice.ods", "libreoffice.xls"])
def test_a_real_spreadsheets_typed_cells_are_read_as_text(name):
    table = open_table(FILES / name, name=name)

    assert table.header == [
        "first_name", "last_name", "email", "date_of_birth", "loyalty_balance", "phone",
        "enrolled", "notes",
    ]  # fmt: skip
    assert list(table.rows) == [
        (2, ["Ada", "Lovelace", "ada@example.com", "1990-12-10", "120", "4155550123", "true",
             "two\nlines"]),
        (3, ["Zoë", "Gárcia", "zoe@example.com", "1985-12-31", "1.5", "+44 20 7946 0958",
             "false", "  spaced   out"]),
        (5, ["Grace", "Hopper", "grace@example.com", "2001-02-03T10:30:00", "0", "", "true",
             "2"]),
    ]  # fmt: skip


def test_a_damaged_sheet_is_refused_with_a_message(tmp_path):
    path = write_ods(tmp_path / "broken.ods", "<table:table-row><table:table-cell>")

    with pytest.raises(FileProblem, match="This workbook cannot be read: its content.xml is not"):
        open_table(path, name="broken.ods")
