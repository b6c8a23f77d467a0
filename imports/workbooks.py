"""The first sheet of an .xlsx or .ods workbook, read as a stream of rows.

A workbook is a zip of XML; its sheet is read here with ``iterparse``, one row at a time,
so that memory is bounded by a row (and an .xlsx's shared strings), never by the sheet's
rectangle. python-calamine, which reads .xls, builds the whole rectangle from A1 to the
furthest cell before the first row is read: one stray cell at XFD1048576 in a 2 KB file
asks for 550 GB and aborts the process, and an .ods row repeated a million times by
``number-rows-repeated`` costs 640 MB. Here a value beyond ``max_columns`` is refused
where it is met, empty cells and rows cost nothing however far they reach, and a row with
values repeated more than ``MAX_REPEATED_ROWS`` times is refused.

Cells come as Python values, as calamine gives them: str, float, bool, datetime.date,
datetime.datetime or datetime.time; ``reading.cell_text`` makes them text.
"""

import datetime
import re
import zipfile
from array import array
from posixpath import dirname, join, normpath
from xml.etree.ElementTree import ParseError, iterparse

MAX_ROWS = 1_048_576  # a spreadsheet's own limit
MAX_REPEATED_ROWS = 1_000  # a customer file has no such run of identical rows
# What one row (or shared string) may hold: 16,384 cells with their values and a little
# text structure each.
MAX_ROW_ELEMENTS = 100_000

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
OFFICE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

# Excel's built-in number formats that show a date or a time.
DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
TIME_ONLY_FORMAT_IDS = {18, 19, 20, 21, 45, 46, 47}
# What a custom format code shows once its quoted text, escapes and [colours] are removed.
FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
CELL_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


class SheetProblem(Exception):
    """The sheet goes beyond what an import reads; the message says where."""


def column_letters(number):
    """1 -> A, 200 -> GR, 16384 -> XFD."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def too_wide(row, column, max_columns):
    return SheetProblem(
        f"row {row:,} has a value in column {column_letters(column)} (column {column:,}); a "
        f"customer file has at most {max_columns} columns (up to {column_letters(max_columns)})."
    )


def parsed(archive, member, *, keep=None):
    """(event, element) of a part's XML, read as a stream. Each element is dropped from
    the tree once its end has been yielded, so that memory holds the open elements alone,
    except inside a ``keep`` element (a row), which stays whole until its own end: up to
    MAX_ROW_ELEMENTS elements, since a few kB of zip can declare millions of cells in one
    row."""
    parents, kept_row, kept = [], None, 0
    try:
        with archive.open(member) as stream:
            for event, element in iterparse(stream, events=("start", "end")):
                if event == "start":
                    if kept_row is not None:
                        kept += 1
                        if kept > MAX_ROW_ELEMENTS:
                            raise SheetProblem(
                                f"a row of its {member} has more than {MAX_ROW_ELEMENTS:,} cells "
                                "and parts of cells."
                            )
                    elif element.tag == keep:
                        kept_row, kept = element, 0
                    parents.append(element)
                    yield event, element
                    continue
                parents.pop()
                yield event, element
                if element is kept_row:
                    kept_row = None
                if kept_row is None and parents:
                    parents[-1].remove(element)
    except ParseError as error:
        raise SheetProblem(f"its {member} is not well-formed XML ({error}).") from None


def rows_of(archive, member, row_tag, *, until=None):
    """The ``row_tag`` elements of a part, each whole; the stream stops at the end of the
    first ``until`` element."""
    for event, element in parsed(archive, member, keep=row_tag):
        if event == "end":
            if element.tag == row_tag:
                yield element
            elif element.tag == until:
                return


# .xlsx


class SharedStrings:
    """An .xlsx's shared strings, kept as UTF-8 in one buffer with their offsets: a million
    customers' names and emails as Python strings would take ten times the memory."""

    def __init__(self, archive, member):
        self.buffer, self.offsets = bytearray(), array("Q", [0])
        if member is None:
            return
        for item in rows_of(archive, member, f"{MAIN}si"):
            # Plain text, or rich text in runs; phonetic hints (<rPh>) are not the text.
            runs = [item, *item.findall(f"{MAIN}r")]
            text = "".join(run.findtext(f"{MAIN}t") or "" for run in runs)
            self.buffer += text.encode()
            self.offsets.append(len(self.buffer))

    def __getitem__(self, index):
        return self.buffer[self.offsets[index] : self.offsets[index + 1]].decode()


def relationship_targets(archive, member):
    """{relationship id: the archive member it points to} of a part's relationships."""
    folder = dirname(member)
    relationships = join(folder, "_rels", member.rsplit("/", 1)[-1] + ".rels")
    targets = {}
    for _, element in parsed(archive, relationships):
        if element.tag == f"{PACKAGE_RELATIONSHIPS}Relationship":
            target = element.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else join(folder, target)
            targets[element.get("Id")] = normpath(path)
    return targets


def first_sheet_member(archive):
    targets = relationship_targets(archive, "xl/workbook.xml")
    for _, element in parsed(archive, "xl/workbook.xml"):
        if element.tag == f"{MAIN}sheet":
            return targets[element.get(f"{OFFICE_RELATIONSHIPS}id")]
    raise SheetProblem("it has no sheet.")


def date_styles(archive):
    """The cell styles (indexes) whose number format shows a date, and those that show
    only a time."""
    if "xl/styles.xml" not in archive.namelist():
        return set(), set()
    custom, formats, in_cell_formats = {}, [], False
    for event, element in parsed(archive, "xl/styles.xml"):
        if element.tag == f"{MAIN}cellXfs":
            in_cell_formats = event == "start"
        elif event == "end" and element.tag == f"{MAIN}numFmt":
            custom[int(element.get("numFmtId"))] = element.get("formatCode", "")
        elif event == "end" and element.tag == f"{MAIN}xf" and in_cell_formats:
            formats.append(int(element.get("numFmtId", 0)))
    dates, times = set(), set()
    for style, format_id in enumerate(formats):
        if format_id in custom:
            shown = FORMAT_LITERALS.sub("", custom[format_id]).lower()
            if any(part in shown for part in "dy") or "m" in shown and "h" not in shown:
                dates.add(style)
            elif "h" in shown or "s" in shown:
                times.add(style)
        elif format_id in TIME_ONLY_FORMAT_IDS:
            times.add(style)
        elif format_id in DATE_FORMAT_IDS:
            dates.add(style)
    return dates, times


def from_serial(serial, *, epoch_1904, time_only):
    """A date, a date and time, or a time of day, from Excel's serial number of days."""
    if time_only:
        seconds = round((serial % 1) * 86400)
        return (datetime.datetime.min + datetime.timedelta(seconds=seconds)).time()
    epoch = datetime.datetime(1904, 1, 1) if epoch_1904 else datetime.datetime(1899, 12, 30)
    try:
        moment = epoch + datetime.timedelta(seconds=round(serial * 86400))
    except OverflowError:
        return serial
    return moment.date() if moment.time() == datetime.time() else moment


def xlsx_rows(path, *, max_columns):
    """(row number, [values]) for each row of the first sheet with a value in it."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        try:
            sheet = first_sheet_member(archive)
        except KeyError as missing:
            raise SheetProblem(f"its part {missing} is missing.") from None
        strings = SharedStrings(archive, "xl/sharedStrings.xml" if (
            "xl/sharedStrings.xml" in names) else None)  # fmt: skip
        dates, times = date_styles(archive)
        epoch_1904 = workbook_uses_1904(archive)
        row_number = 0
        for row in rows_of(archive, sheet, f"{MAIN}row", until=f"{MAIN}sheetData"):
            row_number = int(row.get("r") or row_number + 1)
            values, column = {}, 0
            for cell in row.iter(f"{MAIN}c"):
                reference = CELL_REFERENCE.fullmatch(cell.get("r") or "")
                column = column_number(reference[1]) if reference else column + 1
                value = xlsx_value(cell, strings, dates, times, epoch_1904)
                if value is None or value == "":
                    continue
                if column > max_columns:
                    raise too_wide(row_number, column, max_columns)
                values[column] = value
            if values:
                yield row_number, [values.get(index) for index in range(1, max(values) + 1)]


def column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def workbook_uses_1904(archive):
    for _, element in parsed(archive, "xl/workbook.xml"):
        if element.tag == f"{MAIN}workbookPr":
            return element.get("date1904") in ("1", "true")
    return False


def xlsx_value(cell, strings, dates, times, epoch_1904):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(part.text or "" for part in cell.iter(f"{MAIN}t"))
    raw = cell.findtext(f"{MAIN}v")
    if raw is None:
        return None
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            raise SheetProblem(f"its cell {cell.get('r')} names a missing text.") from None
    if kind == "b":
        return raw == "1"
    if kind in ("str", "e", "d"):  # a formula's text, an error such as #N/A, an ISO date
        return raw
    try:
        number = float(raw)
    except ValueError:
        return raw
    style = int(cell.get("s", 0))
    if style in dates or style in times:
        return from_serial(number, epoch_1904=epoch_1904, time_only=style in times)
    return number


# .ods


def ods_rows(path, *, max_columns):
    """(row number, [values]) for each row of the first sheet with a value in it; a row
    repeated by ``number-rows-repeated`` comes as often as it is repeated."""
    with zipfile.ZipFile(path) as archive:
        if "content.xml" not in archive.namelist():
            raise SheetProblem("its part content.xml is missing.")
        row_number = 0
        rows = rows_of(archive, "content.xml", f"{TABLE}table-row", until=f"{TABLE}table")
        for row in rows:
            repeated = int(row.get(f"{TABLE}number-rows-repeated", 1))
            cells = ods_cells(row, row_number + 1, max_columns)
            if cells and repeated > MAX_REPEATED_ROWS:
                raise SheetProblem(
                    f"row {row_number + 1:,} is repeated {repeated:,} times: save the file again "
                    "from the spreadsheet, or as CSV."
                )
            if cells:
                for offset in range(repeated):
                    yield row_number + 1 + offset, cells
            row_number += repeated
            if cells and row_number > MAX_ROWS:
                raise SheetProblem(f"the sheet goes past row {MAX_ROWS:,}, a spreadsheet's limit.")


def ods_cells(row, row_number, max_columns):
    values, column = {}, 0
    for cell in row:
        if cell.tag not in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
            continue
        repeated = int(cell.get(f"{TABLE}number-columns-repeated", 1))
        value = ods_value(cell)
        if value is not None and value != "":
            if column + repeated > max_columns:
                raise too_wide(row_number, max(column + 1, max_columns + 1), max_columns)
            for offset in range(repeated):
                values[column + 1 + offset] = value
        column += repeated
    return [values.get(index) for index in range(1, max(values) + 1)] if values else []


def ods_value(cell):
    kind = cell.get(f"{OFFICE}value-type")
    if kind in ("float", "percentage", "currency"):
        return float(cell.get(f"{OFFICE}value"))
    if kind == "boolean":
        return cell.get(f"{OFFICE}boolean-value") == "true"
    if kind == "date":
        value = cell.get(f"{OFFICE}date-value", "")
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.date() if "T" not in value else moment
    if kind == "time":
        return ods_time(cell.get(f"{OFFICE}time-value", ""))
    return "\n".join(paragraph_text(paragraph) for paragraph in cell.findall(f"{TEXT}p"))


def ods_time(duration):
    """PT10H30M00S -> 10:30:00."""
    found = re.fullmatch(r"PT(\d+)H(\d+)M(\d+(?:\.\d+)?)S", duration)
    if not found:
        return duration
    hours, minutes, seconds = int(found[1]), int(found[2]), float(found[3])
    return datetime.time(hours % 24, minutes, int(seconds))


def paragraph_text(element):
    """A text:p's text, with its spaces (text:s), tabs and line breaks, and its spans'."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{TEXT}s":
            parts.append(" " * int(child.get(f"{TEXT}c", 1)))
        elif child.tag == f"{TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{TEXT}line-break":
            parts.append("\n")
        else:
            parts.append(paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
