import io
import re
from pathlib import Path

import pytest
import reportlab
from django.core.exceptions import ImproperlyConfigured
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    ListFlowable,
    Paragraph,
    SimpleDocTemplate,
    Table,
)

from nanxi.pdf import chinese_font, paragraph_styles, table_style
from tests.pdf_helpers import pdf_fonts, pdf_text


@pytest.fixture
def font_path(settings):
    """Point PDF_FONT_PATH elsewhere; chinese_font() reads it afresh."""

    def use(path: Path) -> Path:
        settings.PDF_FONT_PATH = str(path)
        return path

    chinese_font.cache_clear()
    yield use
    # The shipped font stays registered under its name: the next call re-reads the
    # (restored) setting and finds it.
    chinese_font.cache_clear()


def only_our_font_embedded(pdf: bytes) -> None:
    fonts = pdf_fonts(pdf)
    assert fonts, "the walk found no fonts at all"
    assert [f.base_font for f in fonts if not f.embedded] == []
    assert [f.base_font for f in fonts if f.is_base_14] == []
    assert {f.name for f in fonts} == {"WenQuanYiMicroHei-0"}


def test_platypus_document_embeds_only_our_font():
    styles = paragraph_styles()
    story = [
        Paragraph("2020 年度报告", styles["Title"]),
        Paragraph(
            "<b>南京西路街道</b> <i>Nanjing West Road</i> 12345", styles["Heading1"]
        ),
        Paragraph("居民自治项目 " * 40, styles["BodyText"]),  # wraps over lines
        Paragraph("一项", styles["Bullet"], bulletText="•"),
        Paragraph("代码 code", styles["Code"]),
        ListFlowable(
            [
                Paragraph("第一项", styles["Normal"]),
                Paragraph("第二项", styles["Normal"]),
            ],
            style=styles["OrderedList"],
        ),
        ListFlowable(
            [Paragraph("无序", styles["Normal"])], style=styles["UnorderedList"]
        ),
        Table(
            [["楼组", "星级"], ["升平街65号", 5]],
            style=table_style(("ALIGN", (1, 0), (1, -1), "RIGHT")),
        ),
    ]
    chart = Drawing(200, 40)
    chart.add(String(10, 10, "图表 Chart 2020"))  # no fontName: the graphics default
    story.append(chart)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4)

    def page_number(pdf_canvas, _document):
        pdf_canvas.drawString(
            40, 20, f"第 {pdf_canvas.getPageNumber()} 页"
        )  # no setFont

    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    pdf = buffer.getvalue()

    only_our_font_embedded(pdf)
    text = pdf_text(pdf)
    for expected in ("年度报告", "南京西路街道", "升平街65号", "图表", "第 1 页"):
        assert expected in text


def test_a_plain_canvas_starts_in_our_font():
    chinese_font()
    buffer = io.BytesIO()
    pdf_canvas = canvas.Canvas(buffer)
    pdf_canvas.drawString(72, 72, "南西 Nanxi 2020")
    pdf_canvas.save()

    only_our_font_embedded(buffer.getvalue())


def test_paragraph_styles_are_a_fresh_copy_each_time():
    paragraph_styles()["Normal"].fontSize = 30

    assert paragraph_styles()["Normal"].fontSize == 10


def assert_clear_error(error: pytest.ExceptionInfo, path: Path) -> None:
    message = str(error.value)
    assert str(path) in message
    assert "无法使用" in message and "PDF_FONT_PATH" in message
    assert "TrueType" in message


def test_missing_font_file_is_a_clear_error(font_path, tmp_path):
    path = font_path(tmp_path / "no-such-font.ttc")

    with pytest.raises(ImproperlyConfigured, match="no such file") as error:
        chinese_font()
    assert_clear_error(error, path)


def test_random_bytes_are_a_clear_error(font_path, tmp_path):
    path = font_path(tmp_path / "random.ttf")
    path.write_bytes(bytes(range(256)) * 16)

    with pytest.raises(ImproperlyConfigured, match="not a TrueType font") as error:
        chinese_font()
    assert_clear_error(error, path)


def test_truncated_font_is_a_clear_error(font_path, tmp_path, settings):
    shipped = Path(settings.PDF_FONT_PATH).read_bytes()
    path = font_path(tmp_path / "truncated.ttc")
    path.write_bytes(shipped[:100_000])

    with pytest.raises(ImproperlyConfigured, match="not a TrueType font") as error:
        chinese_font()
    assert_clear_error(error, path)


def test_cff_opentype_font_is_refused(font_path, tmp_path):
    # The header of an OpenType font with CFF outlines, like Noto Sans CJK.
    path = font_path(tmp_path / "cff.otf")
    path.write_bytes(b"OTTO" + bytes(252))

    with pytest.raises(
        ImproperlyConfigured, match="postscript outlines are not supported"
    ) as error:
        chinese_font()
    assert_clear_error(error, path)


def test_font_without_chinese_is_refused(font_path):
    # Bitstream Vera, shipped with reportlab: TrueType, but Latin only.
    path = font_path(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")

    with pytest.raises(
        ImproperlyConfigured, match=re.escape("no glyphs for 南")
    ) as error:
        chinese_font()
    assert_clear_error(error, path)
