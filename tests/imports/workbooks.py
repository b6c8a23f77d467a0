"""Minimal .xlsx files for tests, written as the zip of XML they are: a sheet of inline
strings and numbers, where a cell may be a formula with the value it was saved with."""

import zipfile
from xml.sax.saxutils import escape

PACKAGE = "http://schemas.openxmlformats.org/package/2006"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    f'<Types xmlns="{PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{SPREADSHEET}.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
    f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
    '<sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
    f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def cell(reference, value):
    if isinstance(value, tuple):  # (formula, the value saved with it)
        formula, saved = value
        return f'<c r="{reference}"><f>{escape(formula)}</f><v>{saved}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def column_name(index):
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def write_xlsx(path, rows, *, padding=0, stray=None):
    """An .xlsx at ``path`` with ``rows`` (lists of str, numbers, or (formula, value));
    ``padding`` bytes of spaces in the sheet make it expand that much more when opened;
    ``stray`` is one more cell, far away: (reference such as "XFD1048576", value)."""
    sheet_rows = "".join(
        f'<row r="{number}">'
        + "".join(cell(f"{column_name(i)}{number}", value) for i, value in enumerate(row))
        + "</row>"
        for number, row in enumerate(rows, 1)
    )
    if stray:
        reference, value = stray
        sheet_rows += f'<row r="{reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
        sheet_rows += cell(reference, value) + "</row>"
    return write_sheet(path, sheet_rows, padding=padding)


def write_sheet(path, sheet_rows, *, padding=0):
    """An .xlsx at ``path`` whose sheet data is the XML ``sheet_rows``, as it is."""
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_rows}</sheetData>{" " * padding}</worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_row(values, *, repeated=1):
    """A table row of text cells; ``repeated`` is its number-rows-repeated."""
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p>'
        "</table:table-cell>"
        for value in values
    )
    repeat = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{repeat}>{cells}</table:table-row>"


def write_ods(path, rows_xml):
    """An .ods at ``path`` whose first sheet is ``rows_xml`` (``ods_row``s)."""
    content = (
        f'<office:document-content {ODS_NAMESPACES} office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Customers">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return path
