import io
import re

import pytest
from PIL import Image
from reportlab.platypus import Paragraph

from nanxi.pdf import paragraph_styles
from reports.pdf import (
    CANNOT_START,
    Case,
    Chart,
    CJKParagraph,
    ReportContent,
    Section,
    TableData,
    may_break,
    render_report,
)
from tests.pdf_helpers import pdf_fonts, pdf_text

NEWSLETTER = (
    "今年，街道开展居民自治项目33项，有活动策划类13个，团队建设类9个，门口实事类"
    "11个，受益14000人次，自治众筹金18500元支持自治项目。创建了107个星级美丽楼组，"
    "其中3个创建三星楼组，5个升四星楼组，66个楼组申报区级美丽楼组创建。"
)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (196, 62, 92)).save(buffer, "JPEG")
    return buffer.getvalue()


def content(**overrides) -> ReportContent:
    data = {
        "issuer": "南京西路街道",
        "title": "2020 年度基层民主自治建设报告",
        "subtitle": "社区自治+",
        "date_line": "2021年1月5日",
        "contents_title": "目录",
        "sections": (
            Section(
                title="居民自治项目",
                summary=NEWSLETTER,
                highlights=(("33", "自治项目"), ("14000", "受益人次")),
                chart=Chart(
                    "按类别", ("活动策划", "团队建设", "门口实事"), (13, 9, 11)
                ),
                tables=(
                    TableData(
                        title="按居民区",
                        header=("居民区", "项目"),
                        rows=(("华业", "7"), ("全街道", "33")),
                        widths=(0.6, 0.4),
                        numeric=(1,),
                        total=True,
                    ),
                ),
            ),
            Section(
                title="星级美丽楼组",
                summary="创建了107个星级美丽楼组。",
                chart=Chart("按星级", ("★", "★★"), (10, 25)),
                cases_title="集锦",
                cases=(
                    Case(
                        name="升平街65号",
                        subtitle="新福康里居民区 ★★★★★ 月季苑",
                        story="把楼组改造视频的二维码放到了墙上。",
                        photo=_photo(),
                        photo_caption="月季苑",
                        qr_url="https://nanxi.example/videos/shengpingjie-65",
                        qr_caption="扫码观看",
                    ),
                ),
            ),
            Section(
                title="业委会",
                summary="完成了3个业委会的换届改选。",
                chart=Chart(
                    "常见薄弱项", ("财务公开", "档案管理"), (4, 2), kind="hbar"
                ),
            ),
        ),
        "closing_title": "展望",
        "closing_text": ("家园建设，不可缺席！",),
        "page_label": "第 %(page)s 页",
    }
    data.update(overrides)
    return ReportContent(**data)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_report(content())


def test_report_prints_its_titles_figures_and_page_numbers(pdf):
    text = pdf_text(pdf)
    for title in ("目录", "居民自治项目", "星级美丽楼组", "业委会", "集锦", "展望"):
        assert title in text
    for figure in ("14000", "18500", "107", "66"):
        assert figure in text
    assert "升平街65号" in text
    assert "第 3 页" in text
    assert text.startswith("南京西路街道") or "南京西路街道" in text


def test_contents_page_lists_the_sections_with_their_pages(pdf):
    from pypdf import PdfReader

    contents = PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    assert "目录" in contents
    for title in ("1 居民自治项目", "2 星级美丽楼组", "3 业委会"):
        assert title in contents
    # The dot leaders end in each section's page: one section a page here.
    assert re.findall(r"\.\s*(\d+)\n", contents) == ["3", "4", "5"]


def test_every_font_of_the_report_is_embedded(pdf):
    fonts = pdf_fonts(pdf)
    assert fonts
    assert all(f.embedded for f in fonts), fonts
    assert not any(f.is_base_14 for f in fonts)


def test_report_is_a4(pdf):
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
        595,
        842,
    )


def test_empty_sections_still_render_with_a_note():
    pdf = render_report(
        content(sections=(Section(title="业委会", summary="—", chart_note="暂无数据"),))
    )
    assert "暂无数据" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        ("1", "4", False),  # inside a number
        ("项", "，", False),  # closing punctuation never starts a line
        ("“", "月", False),  # opening punctuation never ends one
        ("项", "3", True),
        ("3", "项", True),
        ("，", "受", True),
    ],
)
def test_chinese_line_breaking_rules(before, after, allowed):
    assert may_break(before, after) is allowed


def _lines(paragraph: Paragraph, width: float) -> list[str]:
    paragraph.wrap(width, 10_000)
    lines = []
    for line in paragraph.blPara.lines:
        words = line.words if hasattr(line, "words") else line[1]
        lines.append("".join(getattr(w, "text", w) for w in words))
    return lines


def test_numbers_are_never_split_and_lines_never_start_with_closing_punctuation():
    style = paragraph_styles()["Normal"]
    numbers = set(re.findall(r"\d+", NEWSLETTER))
    for width in range(90, 300, 7):
        for lead in range(6):
            text = "今" * lead + NEWSLETTER
            lines = _lines(CJKParagraph(text, style), width)
            assert "".join(lines) == text
            for line in lines[1:]:
                assert line[0] not in CANNOT_START, (width, lead, lines)
            for a, b in zip(lines, lines[1:], strict=False):
                assert not (a[-1].isdigit() and b[0].isdigit()), (width, lead, a, b)
            found = {n for line in lines for n in re.findall(r"\d+", line)}
            assert found == numbers
