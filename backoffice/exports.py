"""The files a list exports to: the CSV other tools read, the same CSV for Excel, and an
Excel workbook.

The CSV is a contract: its header is the columns' names, dates and times are ISO, and a
text cell a spreadsheet would run as a formula starts with "'". Excel and LibreOffice read
a CSV as UTF-8 only when it starts with a byte order mark: "CSV for Excel" is the same file
with one. The workbook is for people: the page's column labels, real dates, and text cells
wherever the CSV has text (ZIP codes, phones, IDs keep their leading zeros and "+"). A
spreadsheet never runs a text cell, so nothing in it needs a prefix.
"""

import datetime

import xlsxwriter
from django.conf import settings
from django.db import connections, models
from django.utils import timezone
from django.utils.text import capfirst

from .copy_export import copy_csv

BYTE_ORDER_MARK = "\ufeff"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    CSV_FOR_EXCEL = "excel_csv", "CSV for Excel"
    XLSX = "xlsx", "Excel workbook (.xlsx)"

    @property
    def extension(self):
        return "xlsx" if self == ExportFormat.XLSX else "csv"

    @property
    def content_type(self):
        return WORKBOOK_TYPE if self == ExportFormat.XLSX else "text/csv; charset=utf-8"

    @property
    def stream_limit(self):
        """The most rows sent while the browser waits; beyond, the file is written in the
        background. A workbook is whole only once its last row is written, so fewer."""
        if self == ExportFormat.XLSX:
            return settings.EXPORT_WORKBOOK_LIMIT
        return settings.EXPORT_STREAM_LIMIT


def write_export_file(file_format, table_class, queryset, out):
    """Write the rows of ``queryset`` as ``table_class`` exports them to the binary file
    ``out``, yielding the number of rows written so far as it goes (for progress). On
    PostgreSQL, the database writes the CSV itself (``copy_export``)."""
    if file_format == ExportFormat.XLSX:
        yield from write_workbook(table_class, queryset, out)
        return
    if file_format == ExportFormat.CSV_FOR_EXCEL:
        out.write(BYTE_ORDER_MARK.encode())
    if connections[queryset.db].vendor == "postgresql":
        yield from copy_csv(table_class, queryset, out)
        return
    lines = table_class.csv_lines(queryset)
    out.write(next(lines).encode())
    for number, line in enumerate(lines, 1):
        out.write(line.encode())
        yield number


def write_workbook(table_class, queryset, out):
    """One sheet, written a row at a time (XlsxWriter's ``constant_memory``: memory holds a
    row, not the sheet), its header row frozen. Every text is written as text, never
    read as a formula, a number or a link."""
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(capfirst(queryset.model._meta.verbose_name_plural)[:31])
    header = workbook.add_format({"bold": True})
    formats = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    labels = table_class.export_labels()
    for column, label in enumerate(labels):
        sheet.set_column(column, column, max(len(label) + 2, 12))
    sheet.write_row(0, 0, labels, header)
    sheet.freeze_panes(1, 0)
    writers = [
        cell_writer(sheet, table_class.export_kinds.get(name), formats)
        for name in table_class.export_columns()
    ]
    number = 0
    for number, cells in enumerate(table_class.export_rows(queryset), 1):
        for column, value in enumerate(cells):
            if value is not None and value != "":
                writers[column](number, column, value)
        yield number
    sheet.autofilter(0, 0, number, len(labels) - 1)
    workbook.close()


def cell_writer(sheet, kind, formats):
    """How a column's exported value becomes a cell: ``write(row, column, value)``."""
    if kind == "date":
        return lambda row, column, value: sheet.write_datetime(
            row, column, datetime.date.fromisoformat(value), formats["date"]
        )
    if kind == "datetime":
        return lambda row, column, value: sheet.write_datetime(
            row, column, local_time(value), formats["datetime"]
        )
    if kind == "number":
        return lambda row, column, value: sheet.write_number(row, column, value)
    if kind == "boolean":
        return lambda row, column, value: sheet.write_boolean(row, column, value == "true")
    return lambda row, column, value: sheet.write_string(row, column, str(value))


def local_time(iso):
    """An ISO time with its offset as the time zone's wall-clock time: a spreadsheet's
    times have no zone, and staff read times in their own."""
    return timezone.localtime(datetime.datetime.fromisoformat(iso)).replace(tzinfo=None)
