"""The yearly report as PDF bytes: a pure function of plain data.

`render_report(content)` touches no database, settings of the site or translation:
every string it prints arrives in `ReportContent`, already in the reader's
language (`reports.content` builds it). Its only outside dependency is the
portal's embedded font (`nanxi.pdf`).

Chinese has no spaces to break lines at. reportlab's "CJK" wrapping breaks between
any two characters, which splits numbers ("140" | "00") and starts lines with
"，" or "）". `CJKParagraph` breaks lines by the rules of Chinese typesetting
instead (`may_break`): never inside a run of Latin letters and digits, never
before closing punctuation, never after opening punctuation.
"""

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.paragraph import (
    ParaLines,
    _handleBulletWidth,
    cjkU,
    makeCJKParaLine,
)
from reportlab.platypus.tableofcontents import TableOfContents
from reportlab.rl_config import _FUZZ

from nanxi.pdf import chinese_font, paragraph_styles, table_style

RED = colors.HexColor("#a8201a")
RED_DARK = colors.HexColor("#7d1712")
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5c5c5c")
LINE = colors.HexColor("#d9d0c7")
TINT = colors.HexColor("#fbf3ee")
BAR_COLORS = [RED, colors.HexColor("#d9822b"), colors.HexColor("#3d7a4f")]

MARGIN = 20 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TABLE_CHUNK = 150  # rows: about four pages


# --- what the renderer is given --------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A bar chart: `kind` "bar" (vertical) or "hbar" (horizontal, for long labels)."""

    title: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    kind: str = "bar"


@dataclass(frozen=True)
class TableData:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the text width
    numeric: tuple[int, ...] = ()  # right-aligned columns
    total: bool = False  # the last row sums the others


@dataclass(frozen=True)
class Case:
    """A showcase case (集锦): a building group with its photo and a QR code."""

    name: str
    subtitle: str
    story: str
    photo: bytes | None = None
    photo_caption: str = ""
    qr_url: str = ""
    qr_caption: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    summary: str
    highlights: tuple[tuple[str, str], ...] = ()  # (value, label)
    chart: Chart | None = None
    chart_note: str = ""  # shown instead of an empty chart
    tables: tuple[TableData, ...] = ()
    cases_title: str = ""
    cases: tuple[Case, ...] = ()


@dataclass(frozen=True)
class ReportContent:
    issuer: str  # 南京西路街道
    title: str  # 2020 年度基层民主自治建设报告
    subtitle: str
    date_line: str
    contents_title: str
    sections: tuple[Section, ...]
    closing_title: str
    closing_text: tuple[str, ...]
    page_label: str  # "Page %(page)s", translated
    author: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)


# --- Chinese line breaking -----------------------------------------------------

# 避头: never at the start of a line. 避尾: never at the end of one.
CANNOT_START = set(
    "，。、；：？！）」』】》〉〕｝］”’…—～％‰℃·・,.;:?!)]}%"
    "\u3005\u309d\u309e\u30fd\u30fe\u30fc"
)
CANNOT_END = set("（「『【《〈〔｛［“‘([{¥￥$£#")


def _in_word(char: str) -> bool:
    # Latin letters, digits and what holds numbers together: 18,500.00 · 3.5% · 2020-12
    return char.isascii() and (char.isalnum() or char in ".,%-/:+")


def may_break(before: str, after: str) -> bool:
    """May a line end between these two characters?"""
    if after in CANNOT_START or before in CANNOT_END:
        return False
    return not (_in_word(before) and _in_word(after))


def cjk_split(frags, max_widths, calc_bounds) -> ParaLines:
    """reportlab's `cjkFragSplit` with Chinese line-breaking rules (`may_break`)."""
    glyphs = []
    for frag in frags:
        text = frag.text if not isinstance(frag.text, bytes) else frag.text.decode()
        glyphs.extend(cjkU(t, frag, "utf8") for t in text) if text else glyphs.append(
            cjkU(text, frag, "utf8")
        )
    lines = []
    start = i = 0
    used = 0.0
    max_width = max_widths[0]

    def end_line(stop: int, line_break: bool) -> None:
        nonlocal max_width
        width = sum(g.width for g in glyphs[start:stop])
        lines.append(
            makeCJKParaLine(
                glyphs[start:stop],
                max_width,
                width,
                max_width - width,
                line_break,
                calc_bounds,
            )
        )
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]

    while i < len(glyphs):
        glyph = glyphs[i]
        i += 1
        used += glyph.width
        if hasattr(glyph.frag, "lineBreak"):
            end_line(i, True)
            start, used = i, 0.0
            continue
        if used > max_width + _FUZZ and i - start > 1:
            # glyph i-1 overflows: end the line at the last place Chinese allows.
            stop = i - 1
            while stop > start and not may_break(glyphs[stop - 1], glyphs[stop]):
                stop -= 1
            if stop == start:  # one unbreakable run longer than the line
                stop = i - 1
            end_line(stop, False)
            start = i = stop
            while start < len(glyphs) and glyphs[start] == " ":
                start = i = start + 1
            used = 0.0
    if start < len(glyphs):
        end_line(len(glyphs), False)
    return ParaLines(kind=1, lines=lines)


class CJKParagraph(Paragraph):
    """A Paragraph that wraps Chinese by `may_break` (style.wordWrap must be "CJK")."""

    def breakLinesCJK(self, maxWidths):  # noqa: N802, N803  (reportlab's names)
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        style = self.style
        self.height = 0
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if not self.frags:
            return ParaLines(
                kind=0,
                fontSize=style.fontSize,
                fontName=style.fontName,
                textColor=style.textColor,
                lines=[],
                ascent=style.fontSize,
                descent=-0.2 * style.fontSize,
            )
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return cjk_split(self.frags, maxWidths, auto_leading not in ("", "off"))


def para(text: str, style: ParagraphStyle) -> CJKParagraph:
    """Plain text (escaped here; line breaks kept) as a wrapped paragraph."""
    return CJKParagraph(escape(text).replace("\n", "<br/>"), style)


# --- styles --------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = paragraph_styles()
    normal = base["Normal"]

    def style(name, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, parent=normal, **kw)

    return {
        "body": style("body", fontSize=11, leading=18, textColor=INK, spaceAfter=6),
        "small": style("small", fontSize=9, leading=13, textColor=MUTED),
        "cell": style("cell", fontSize=9.5, leading=13),
        "cell_head": style("cell_head", fontSize=9.5, leading=13, textColor="white"),
        "cell_head_num": style(
            "cell_head_num",
            fontSize=9.5,
            leading=13,
            textColor="white",
            alignment=TA_RIGHT,
        ),
        "h1": style(
            "h1", fontSize=20, leading=26, textColor=RED_DARK, spaceAfter=4 * mm
        ),
        "h2": style(
            "h2",
            fontSize=13,
            leading=18,
            textColor=INK,
            spaceBefore=5 * mm,
            spaceAfter=2 * mm,
        ),
        "figure": style(
            "figure", fontSize=22, leading=26, textColor=RED_DARK, alignment=TA_CENTER
        ),
        "figure_label": style(
            "figure_label",
            fontSize=9.5,
            leading=13,
            textColor=MUTED,
            alignment=TA_CENTER,
        ),
        "cover_issuer": style(
            "cover_issuer", fontSize=18, leading=24, textColor="white"
        ),
        "cover_title": style("cover_title", fontSize=30, leading=40, textColor="white"),
        "cover_sub": style("cover_sub", fontSize=14, leading=20, textColor="white"),
        "toc": style("toc", fontSize=13, leading=22),
        "closing": style(
            "closing", fontSize=12, leading=22, textColor=INK, spaceAfter=8
        ),
        "right": style("right", fontSize=11, leading=18, alignment=TA_RIGHT),
    }


# --- pieces --------------------------------------------------------------------


class SectionTitle(CJKParagraph):
    """A section heading; the contents page lists it with its page number."""


class RedRule(Flowable):
    def __init__(self, width: float, thickness: float = 2.5):
        super().__init__()
        self.width, self.thickness = width, thickness
        self.height = thickness + 3 * mm

    def wrap(self, *args):
        return self.width, self.height

    def draw(self):
        self.canv.setFillColor(RED)
        self.canv.rect(
            0, self.height - self.thickness, self.width, self.thickness, 0, 1
        )


def _highlights(items, styles) -> Table:
    per_row = 4 if len(items) % 4 == 0 or len(items) > 6 else 3
    cells = [
        [para(value, styles["figure"]), para(label, styles["figure_label"])]
        for value, label in items
    ]
    rows = [cells[n : n + per_row] for n in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    width = TEXT_WIDTH / per_row
    table = Table(rows, colWidths=[width] * per_row)
    table.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (-1, -1), TINT),
            ("LINEABOVE", (0, 0), (-1, 0), 2, RED),
            ("INNERGRID", (0, 0), (-1, -1), 3, colors.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        )
    )
    return table


def _chart(chart: Chart, styles) -> list:
    font = chinese_font()
    values = [v or 0 for v in chart.values]
    top = max(values + [1])
    if chart.kind == "hbar":
        height = max(40 * mm, 9 * mm * len(values) + 14 * mm)
        drawing = Drawing(TEXT_WIDTH, height)
        bars = HorizontalBarChart()
        bars.x, bars.y = 45 * mm, 8 * mm
        bars.width, bars.height = TEXT_WIDTH - 60 * mm, height - 14 * mm
        # Largest on top: the chart draws its first category at the bottom.
        bars.data = [list(reversed(values))]
        bars.categoryAxis.categoryNames = list(reversed(chart.labels))
        bars.categoryAxis.labels.boxAnchor = "e"
        bars.categoryAxis.labels.dx = -4
        bars.barLabels.boxAnchor = "w"
        bars.barLabels.dx = 4
    else:
        height = 62 * mm
        drawing = Drawing(TEXT_WIDTH, height)
        bars = VerticalBarChart()
        bars.x, bars.y = 18 * mm, 12 * mm
        bars.width, bars.height = TEXT_WIDTH - 30 * mm, height - 20 * mm
        bars.data = [values]
        bars.categoryAxis.categoryNames = list(chart.labels)
        bars.categoryAxis.labels.boxAnchor = "n"
        bars.categoryAxis.labels.dy = -4
        bars.barLabels.boxAnchor = "s"
        bars.barLabels.dy = 2
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = top * 1.15
    bars.valueAxis.valueStep = _nice_step(top)
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.labelTextFormat = "%d"
    bars.valueAxis.gridStrokeColor = LINE
    bars.valueAxis.visibleGrid = True
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 9
    bars.barLabels.fontName = font
    bars.barLabels.fontSize = 9
    bars.barLabelFormat = "%d"
    bars.barWidth = 10
    bars.groupSpacing = 12
    bars.bars[0].fillColor = RED
    bars.bars[0].strokeColor = None
    for n in range(len(values)):
        bars.bars[(0, n)].fillColor = RED
    drawing.add(bars)
    drawing.add(String(0, height - 4 * mm, chart.title, fontName=font, fontSize=10.5))
    return [Spacer(0, 3 * mm), drawing, Spacer(0, 2 * mm)]


def _nice_step(top: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 6:
            return step
    return 10 ** len(str(int(top)))


def _table(data: TableData, styles) -> list:
    widths = [TEXT_WIDTH * w for w in data.widths]
    head = [
        para(h, styles["cell_head_num" if n in data.numeric else "cell_head"])
        for n, h in enumerate(data.header)
    ]
    font = chinese_font()
    room = [w - 12 for w in widths]  # the cell's padding

    def cell(n: int, text: str):
        # A Paragraph only where the text must wrap: a thousand-row list stays fast.
        if n in data.numeric or stringWidth(text, font, 9.5) <= room[n]:
            return text
        return para(text, styles["cell"])

    body = [[cell(n, text) for n, text in enumerate(row)] for row in data.rows]
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), RED),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, LINE),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, TINT]),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for n in data.numeric:
        commands.append(("ALIGN", (n, 1), (n, -1), "RIGHT"))
    # A table split across pages is measured again for every page it fills
    # (quadratic in its rows): a long list goes in as tables of a few rows each.
    chunks = [body[n : n + TABLE_CHUNK] for n in range(0, len(body), TABLE_CHUNK)]
    flowables: list = [CondPageBreak(40 * mm), para(data.title, styles["h2"])]
    for n, chunk in enumerate(chunks or [[]]):
        table = Table([head, *chunk], colWidths=widths, repeatRows=1)
        extra = []
        if data.total and chunk and n == len(chunks) - 1:
            extra = [
                ("LINEABOVE", (0, -1), (-1, -1), 1.2, INK),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3e3dc")),
            ]
        table.setStyle(table_style(*commands, *extra))
        flowables.append(table)
    return flowables


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _case(case: Case, styles) -> KeepTogether:
    photo_width = 70 * mm
    left: list = []
    if case.photo:
        reader = ImageReader(io.BytesIO(case.photo))
        w, h = reader.getSize()
        height = min(photo_width * h / w, 60 * mm)
        left.append(Image(io.BytesIO(case.photo), photo_width, height, kind="bound"))
        if case.photo_caption:
            left.append(para(case.photo_caption, styles["small"]))
    right: list = [
        para(case.name, styles["h2"]),
        para(case.subtitle, styles["small"]),
        Spacer(0, 2 * mm),
        para(case.story, styles["body"]),
    ]
    if case.qr_url:
        qr = Table(
            [[_qr(case.qr_url, 24 * mm), para(case.qr_caption, styles["small"])]],
            colWidths=[27 * mm, None],
        )
        qr.setStyle(table_style(("VALIGN", (0, 0), (-1, -1), "MIDDLE")))
        right.append(qr)
    table = Table([[left or "", right]], colWidths=[photo_width + 6 * mm, None])
    table.setStyle(
        table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, LINE),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
        )
    )
    return KeepTogether([table, Spacer(0, 4 * mm)])


# --- the document --------------------------------------------------------------


class _Document(BaseDocTemplate):
    def afterFlowable(self, flowable):  # noqa: N802  (reportlab's name)
        if isinstance(flowable, SectionTitle):
            key = f"section-{self.seq.nextf('section')}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, 0)
            self.notify("TOCEntry", (0, flowable.getPlainText(), self.page, key))


def render_report(content: ReportContent) -> bytes:
    """PDF bytes of the yearly report (A4). Pure: plain data in, bytes out."""
    font = chinese_font()
    styles = _styles()
    buffer = io.BytesIO()

    def cover(canvas, doc):
        canvas.saveState()
        canvas.setFillColor(RED)
        canvas.rect(0, PAGE_HEIGHT * 0.42, PAGE_WIDTH, PAGE_HEIGHT * 0.58, 0, 1)
        canvas.setFillColor(RED_DARK)
        canvas.rect(0, PAGE_HEIGHT * 0.42, PAGE_WIDTH, 6 * mm, 0, 1)
        canvas.setFillColor(MUTED)
        canvas.setFont(font, 12)
        canvas.drawCentredString(PAGE_WIDTH / 2, 30 * mm, content.issuer)
        canvas.drawCentredString(PAGE_WIDTH / 2, 23 * mm, content.date_line)
        canvas.restoreState()

    def body(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 12 * mm, content.issuer)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 12 * mm, content.title
        )
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.6)
        canvas.line(
            MARGIN, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm
        )
        canvas.setFont(font, 9.5)
        canvas.drawCentredString(
            PAGE_WIDTH / 2, 10 * mm, content.page_label % {"page": doc.page}
        )
        canvas.restoreState()

    doc = _Document(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=content.title,
        author=content.author or content.issuer,
        subject=content.subtitle,
        keywords=list(content.keywords),
        initialFontName=font,
    )
    frame = Frame(MARGIN, MARGIN, TEXT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="text")
    doc.addPageTemplates(
        [
            PageTemplate("cover", [frame], onPage=cover),
            PageTemplate("body", [frame], onPage=body),
        ]
    )

    story: list = [
        Spacer(0, 40 * mm),
        para(content.issuer, styles["cover_issuer"]),
        Spacer(0, 8 * mm),
        para(content.title, styles["cover_title"]),
        Spacer(0, 6 * mm),
        para(content.subtitle, styles["cover_sub"]),
        NextPageTemplate("body"),
        PageBreak(),
        para(content.contents_title, styles["h1"]),
        RedRule(TEXT_WIDTH),
    ]
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [
        ParagraphStyle("toc0", parent=styles["toc"], leftIndent=0, firstLineIndent=0)
    ]
    # Its own table would set the cells' font to Helvetica, unembedded.
    toc.tableStyle = table_style(
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    )
    story.append(toc)

    for number, section in enumerate(content.sections, start=1):
        story += [
            PageBreak(),
            SectionTitle(escape(f"{number}  {section.title}"), styles["h1"]),
            RedRule(TEXT_WIDTH),
            para(section.summary, styles["body"]),
        ]
        if section.highlights:
            story += [Spacer(0, 2 * mm), _highlights(section.highlights, styles)]
        if section.chart is not None:
            story += _chart(section.chart, styles)
        elif section.chart_note:
            story += [Spacer(0, 3 * mm), para(section.chart_note, styles["small"])]
        for table in section.tables:
            story += _table(table, styles)
        if section.cases:
            story += [
                CondPageBreak(70 * mm),
                para(section.cases_title, styles["h2"]),
            ]
            story += [_case(case, styles) for case in section.cases]

    story += [
        PageBreak(),
        Spacer(0, 30 * mm),
        para(content.closing_title, styles["h1"]),
        RedRule(TEXT_WIDTH),
        *[para(text, styles["closing"]) for text in content.closing_text],
        Spacer(0, 20 * mm),
        para(content.issuer, styles["right"]),
        para(content.date_line, styles["right"]),
    ]
    doc.multiBuild(story)
    return buffer.getvalue()
