"""Reading an uploaded file as a table: a header and rows of text, whatever the format.

CSV (UTF-8 with or without a BOM, comma or semicolon, detected), .xlsx and .ods (read as
a stream of rows by ``workbooks``) and .xls (read by python-calamine in a child process,
``xls``): cell values as
saved, formulas never evaluated. What the file
is comes from its first bytes, not its name, and a name that says otherwise is refused.
Anything that makes the file unreadable as a whole raises ``FileProblem`` with a message
for the person who uploaded it; a row's own problems (more fields than the header) are
the validation's to report, row by row.
"""

import csv
import datetime
import zipfile
import zlib
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from . import workbooks
from .workbooks import SheetProblem
from .xls import XlsProblem, xls_rows

MAX_BYTES = 100 * 1024 * 1024
MAX_COLUMNS = 200
MAX_CELL_CHARACTERS = 10_000
# A workbook is a zip of XML: refused when it would expand past this, or by more than
# MAX_EXPANSION times (a "zip bomb" is a few kB that expands to gigabytes).
MAX_EXPANDED_BYTES = 1024 * 1024 * 1024
MAX_EXPANSION = 200
SAMPLE_BYTES = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the container of .xls
WORKBOOKS = {
    ".xlsx": "an Excel workbook",
    ".xls": "an Excel 97-2003 workbook",
    ".ods": "an OpenDocument spreadsheet",
}
ENCODINGS = {"utf-8": "UTF-8", "latin-1": "Latin-1"}


class FileProblem(Exception):
    """The file cannot be read as a table; the message says why, and what to do."""


@dataclass
class Table:
    header: list
    rows: object  # an iterator of (line number in the file, [cells as text])
    kind: str  # "csv" or the workbook's extension

    def first_rows(self, count=3, *, longest=40):
        """The first ``count`` rows' cells, each cut to ``longest`` characters: what the
        page that maps the columns shows of them. Read from ``rows``, which go on after."""
        return [[cell[:longest] for cell in cells] for _, cells in islice(self.rows, count)]


def open_table(path, *, name, encoding="utf-8", max_bytes=MAX_BYTES):
    """The table in the file at ``path``, uploaded as ``name``. ``encoding`` is a CSV's:
    UTF-8 (a BOM is skipped), or Latin-1 when the person chooses it. ``max_bytes`` is the
    upload limit; None reads a file of any size (the shell's: rows are read one at a time)."""
    kind = identify(path, name=name, max_bytes=max_bytes)
    table = csv_table(Path(path), encoding) if kind == "csv" else workbook_table(path, kind)
    if not table.header or not any(cell.strip() for cell in table.header):
        raise FileProblem("The first row should name the columns, and it is empty.")
    if len(table.header) > MAX_COLUMNS:
        raise FileProblem(
            f"The first row has {len(table.header):,} columns; a customer file has at most "
            f"{MAX_COLUMNS}."
        )
    first = next(table.rows, None)
    if first is None:
        raise FileProblem("This file has a header row but no customers.")
    table.rows = prepend(first, table.rows)
    return table


def identify(path, *, name, max_bytes=MAX_BYTES):
    """What the file is ("csv", ".xlsx", ".xls" or ".ods"), from its size and first bytes,
    without parsing it: a web request only identifies a workbook, and a job reads it."""
    path = Path(path)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise FileProblem(
            f"This file is {size:,} bytes, over the limit of {max_bytes // 2**20} MB. Split it "
            "into smaller files."
        )
    if size == 0:
        raise FileProblem("This file is empty.")
    with path.open("rb") as file:
        start = file.read(8)
    extension = Path(name).suffix.lower()
    if not (start.startswith(ZIP_MAGIC) or start.startswith(OLE_MAGIC)):
        if extension in WORKBOOKS:
            raise FileProblem(
                f"This file is named {name} but is not {WORKBOOKS[extension]}: it looks like "
                "text. If it is CSV, name it .csv."
            )
        return "csv"
    if extension not in WORKBOOKS:
        raise FileProblem(
            f"This file is named {name} but is a spreadsheet workbook: save it as CSV, "
            "or upload it with its .xlsx, .xls or .ods name."
        )
    if start.startswith(ZIP_MAGIC) == (extension == ".xls"):
        raise FileProblem(f"This file is named {name} but is not {WORKBOOKS[extension]}.")
    if extension != ".xls":
        refuse_zip_bomb(path)
    return extension


def prepend(first, rest):
    yield first
    yield from rest


def refuse_zip_bomb(path):
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile:
        raise FileProblem("This workbook is damaged: it cannot be opened.") from None
    if expanded > MAX_EXPANDED_BYTES or expanded > MAX_EXPANSION * path.stat().st_size:
        raise FileProblem(
            f"This workbook would expand to {expanded // 2**20:,} MB when opened, far more "
            "than its size: it is refused. Save it again from the spreadsheet, or as CSV."
        )


def csv_table(path, encoding):
    """A CSV file's rows, decoded line by line so that a bad byte is reported with its
    line number, split by the delimiter the header uses."""
    lines = decoded_lines(path, encoding)
    sample = []
    for line in lines:
        sample.append(line)
        if sum(map(len, sample)) > SAMPLE_BYTES or len(sample) > 20:
            break
    delimiter = detect_delimiter(sample[0] if sample else "")
    reader = csv.reader(prepend_all(sample, lines), delimiter=delimiter, strict=True)
    rows = numbered_rows(reader)
    header = next(rows, (1, []))[1]
    return Table(header=[cell.strip() for cell in header], rows=rows, kind="csv")


def prepend_all(first, rest):
    yield from first
    yield from rest


def decoded_lines(path, encoding):
    with path.open("rb") as file:
        for number, raw in enumerate(file, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if b"\x00" in raw:
                raise FileProblem(
                    f"Line {number} contains a NUL byte: this is not a text file. Export it "
                    "from the spreadsheet as CSV again."
                )
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise FileProblem(
                    f"Line {number} is not {ENCODINGS.get(encoding, encoding)} text (byte "
                    f"0x{raw[error.start]:02x} at position {error.start + 1}). Save the file "
                    "as UTF-8, or choose Latin-1 if it comes from an older system."
                ) from None


def detect_delimiter(header_line):
    """A comma or a semicolon: whichever the header line has more of outside quotes."""
    outside, quoted = [], False
    for character in header_line:
        if character == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(character)
    return ";" if outside.count(";") > outside.count(",") else ","


def numbered_rows(reader):
    """(line number, cells) for each row that has a cell; a cell over
    MAX_CELL_CHARACTERS or more than MAX_COLUMNS cells makes the file unreadable."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileProblem(f"Line {reader.line_num} cannot be read as CSV: {error}.") from None
        if len(cells) > MAX_COLUMNS:
            raise FileProblem(
                f"Line {reader.line_num} has {len(cells):,} fields; a customer file has at "
                f"most {MAX_COLUMNS}."
            )
        if any(len(cell) > MAX_CELL_CHARACTERS for cell in cells):
            raise FileProblem(
                f"Line {reader.line_num} has a cell of more than {MAX_CELL_CHARACTERS:,} "
                "characters."
            )
        if any(cell.strip() for cell in cells):
            yield reader.line_num, cells


def workbook_table(path, kind):
    """The first sheet of a workbook, every cell as text (dates in ISO format, whole
    numbers without a decimal point), read a row at a time: .xlsx and .ods by
    ``workbooks``, .xls by python-calamine in a child process with a memory limit."""
    read = {".xlsx": workbooks.xlsx_rows, ".ods": workbooks.ods_rows, ".xls": xls_rows}[kind]
    rows = readable_rows(read(path, max_columns=MAX_COLUMNS))
    _, header = next(rows, (1, []))
    return Table(header=[cell.strip() for cell in header], rows=rows, kind=kind.lstrip("."))


def readable_rows(rows):
    """The rows as text; what makes the sheet unreadable becomes a FileProblem."""
    try:
        for number, cells in rows:
            text = [cell_text(cell) for cell in cells]
            if any(len(cell) > MAX_CELL_CHARACTERS for cell in text):
                raise FileProblem(
                    f"Row {number:,} has a cell of more than {MAX_CELL_CHARACTERS:,} characters."
                )
            if any(cell.strip() for cell in text):
                yield number, text
    except (
        SheetProblem, XlsProblem, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError,
        TypeError, RecursionError,
    ) as problem:  # fmt: skip
        raise FileProblem(f"This workbook cannot be read: {problem}") from None


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
