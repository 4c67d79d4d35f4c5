"""A printable A4 poster with a QR code for a building group's wall.

Every line, the URL included, is set in the portal's embedded PDF font (nanxi.pdf), so
the poster prints the same from any reader or print shop.
"""

import io
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from nanxi.pdf import chinese_font

RED = HexColor("#a8201a")


@dataclass(frozen=True)
class PosterData:
    name: str
    area: str
    feature: str
    stars: int
    url: str
    heading: str
    caption: str
    footer: str


def render_poster(data: PosterData) -> bytes:
    """PDF bytes of one A4 poster. Pure: takes plain data, touches no database."""
    font = chinese_font()
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    pdf.setTitle(f"{data.name} · {data.heading}")

    pdf.setFillColor(RED)
    pdf.rect(0, height - 45 * mm, width, 45 * mm, stroke=0, fill=1)
    pdf.setFillColor(HexColor("#ffffff"))
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 18 * mm, data.heading)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 35 * mm, data.name)

    pdf.setFillColor(HexColor("#1a1a1a"))
    pdf.setFont(font, 18)
    y = height - 62 * mm
    pdf.drawCentredString(width / 2, y, data.area)
    if data.stars:
        pdf.setFillColor(RED)
        pdf.setFont(font, 30)
        pdf.drawCentredString(width / 2, y - 14 * mm, "★" * data.stars)
        pdf.setFillColor(HexColor("#1a1a1a"))
    if data.feature:
        pdf.setFont(font, 22)
        pdf.drawCentredString(width / 2, y - 28 * mm, data.feature)

    size = 110 * mm
    widget = QrCodeWidget(data.url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, (width - size) / 2, 62 * mm)

    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, 52 * mm, data.caption)
    pdf.setFont(font, 10)
    pdf.drawCentredString(width / 2, 44 * mm, data.url)
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, 18 * mm, data.footer)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
