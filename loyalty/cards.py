"""Sheets of loyalty card codes: each code as text and as a Code 128 barcode, on the labels
of a common label sheet (or one card per page for a card printer).

One layout (``LabelSize``, in points) serves the printable page and the PDF; reportlab
draws the barcodes, as SVG for the page and into the PDF.
"""

import io
from dataclasses import dataclass

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib.units import inch, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

LETTER = (8.5 * inch, 11 * inch)
A4 = (210 * mm, 297 * mm)
# Space kept clear inside each label, so that a sheet fed slightly askew still prints whole.
PADDING = 0.08 * inch
MAX_BARCODE_HEIGHT = 0.75 * inch
CODE_FONT = "Helvetica-Bold"
HEADING_FONT = "Helvetica"
MIN_HEADING_SIZE = 5.0  # a long chain name is set smaller, down to this


@dataclass(frozen=True)
class LabelSize:
    name: str
    page: tuple  # width, height in points
    label: tuple  # width, height in points
    columns: int
    rows: int
    margins: tuple  # left, top: where the first label starts
    pitch: tuple  # from one label to the next, across and down

    @property
    def per_page(self):
        return self.columns * self.rows

    def positions(self):
        """(left, top) of each label on a page, row by row, in points from the top left."""
        left, top = self.margins
        across, down = self.pitch
        return [
            (left + column * across, top + row * down)
            for row in range(self.rows)
            for column in range(self.columns)
        ]


LABEL_SIZES = {
    "avery-5160": LabelSize(
        name="Address labels, 1 × 2⅝ in, 30 per Letter sheet (Avery 5160)",
        page=LETTER,
        label=(2.625 * inch, 1 * inch),
        columns=3,
        rows=10,
        margins=(0.1875 * inch, 0.5 * inch),
        pitch=(2.75 * inch, 1 * inch),
    ),
    "avery-l7160": LabelSize(
        name="Address labels, 63.5 × 38.1 mm, 21 per A4 sheet (Avery L7160)",
        page=A4,
        label=(63.5 * mm, 38.1 * mm),
        columns=3,
        rows=7,
        margins=(7.2 * mm, 15.15 * mm),
        pitch=(66.04 * mm, 38.1 * mm),
    ),
    "avery-5371": LabelSize(
        name="Business cards, 2 × 3½ in, 10 per Letter sheet (Avery 5371)",
        page=LETTER,
        label=(3.5 * inch, 2 * inch),
        columns=2,
        rows=5,
        margins=(0.75 * inch, 0.5 * inch),
        pitch=(3.5 * inch, 2 * inch),
    ),
    "cr80": LabelSize(
        name="Plastic cards, 85.6 × 54 mm (CR80), one per page, for a card printer",
        page=(85.6 * mm, 54 * mm),
        label=(85.6 * mm, 54 * mm),
        columns=1,
        rows=1,
        margins=(0, 0),
        pitch=(0, 0),
    ),
}


@dataclass(frozen=True)
class LabelLayout:
    """Where the heading, the barcode and the code go inside one label, in points from
    the label's bottom left (as reportlab measures)."""

    width: float
    height: float
    heading_size: float
    heading_y: float
    barcode_width: float
    barcode_height: float
    barcode_y: float
    code_size: float
    code_y: float


def layout_for(size):
    """The inside of a label of ``size``: a small heading, the barcode, the code below it,
    centred top to bottom (a card's barcode is no taller than ``MAX_BARCODE_HEIGHT``)."""
    width, height = size.label
    inner = height - 2 * PADDING
    heading_size = max(6.0, min(9.0, inner * 0.11))
    code_size = max(8.0, min(14.0, inner * 0.16))
    barcode_height = min(MAX_BARCODE_HEIGHT, inner - heading_size - code_size - 6)
    used = code_size + 2 + barcode_height + 2 + heading_size
    code_y = (height - used) / 2 + 1
    barcode_y = code_y + code_size + 2
    return LabelLayout(
        width=width,
        height=height,
        heading_size=heading_size,
        heading_y=barcode_y + barcode_height + 2,
        barcode_width=width - 2 * PADDING,
        barcode_height=barcode_height,
        barcode_y=barcode_y,
        code_size=code_size,
        code_y=code_y,
    )


def label_heading(chain_name, layout):
    """Each label's heading, "<chain> loyalty card", and its font size: the layout's, or
    smaller for the heading to fit the label's width; a chain name too long for that is the
    heading alone."""
    heading = f"{chain_name} loyalty card"
    if stringWidth(heading, HEADING_FONT, MIN_HEADING_SIZE) > layout.barcode_width:
        heading = chain_name
    width = stringWidth(heading, HEADING_FONT, layout.heading_size)
    if width <= layout.barcode_width:
        return heading, layout.heading_size
    return heading, max(MIN_HEADING_SIZE, layout.heading_size * layout.barcode_width / width)


def barcode_drawing(code, width, height):
    """The Code 128 barcode of ``code`` with its quiet zones, as wide as fits in ``width``
    (bars at most 1 pt, which scanners read well), ``height`` tall; centred by the caller."""
    natural = createBarcodeDrawing("Code128", value=code, barWidth=1, barHeight=height, quiet=True)
    bar_width = min(1.0, width / natural.width)
    return createBarcodeDrawing(
        "Code128", value=code, barWidth=bar_width, barHeight=height, quiet=True, humanReadable=False
    )


def shown_code(code):
    """The code as printed under its barcode: two groups of five, easier to read out."""
    return f"{code[:5]} {code[5:]}"


def pages(codes, size):
    """The codes, a page of labels at a time: [[(left, top, code), ...], ...]."""
    positions, per_page = size.positions(), size.per_page
    return [
        [
            (left, top, code)
            for (left, top), code in zip(positions, codes[start : start + per_page], strict=False)
        ]
        for start in range(0, len(codes), per_page)
    ]


def barcode_svg(code, size):
    """The barcode of ``code`` for a label of ``size``, as an ``<svg>`` element to put in a
    page: sized in points as on the PDF, named for screen readers, with ids of its own."""
    layout = layout_for(size)
    drawing = barcode_drawing(code, layout.barcode_width, layout.barcode_height)
    document = renderSVG.drawToString(drawing)
    svg = document[document.index("<svg") :]
    svg = svg.replace(
        f'<svg width="{drawing.width}" height="{drawing.height}"',
        f'<svg width="{drawing.width:.2f}pt" height="{drawing.height:.2f}pt" role="img"',
        1,
    )
    svg = svg.replace("<title>...</title>", f"<title>Barcode of {code}</title>", 1)
    svg = svg.replace("<desc>...</desc>", "", 1)
    svg = svg.replace('id="clip"', f'id="clip-{code}"').replace("url(#clip)", f"url(#clip-{code})")
    return svg.replace(' id="group"', "")


def sheet_pdf(codes, size, *, chain_name):
    """The codes on labels of ``size``, headed with ``chain_name``, as a PDF (bytes)."""
    layout = layout_for(size)
    heading, heading_size = label_heading(chain_name, layout)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size.page)
    pdf.setTitle(f"{chain_name} loyalty card codes")
    page_height = size.page[1]
    for page in pages(codes, size):
        for left, top, code in page:
            bottom = page_height - top - layout.height
            centre = left + layout.width / 2
            pdf.setFont(HEADING_FONT, heading_size)
            pdf.drawCentredString(centre, bottom + layout.heading_y, heading)
            drawing = barcode_drawing(code, layout.barcode_width, layout.barcode_height)
            renderPDF.draw(drawing, pdf, centre - drawing.width / 2, bottom + layout.barcode_y)
            pdf.setFont(CODE_FONT, layout.code_size)
            pdf.drawCentredString(centre, bottom + layout.code_y, shown_code(code))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
