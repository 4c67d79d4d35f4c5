"""Shared PDF pieces: the one font every PDF of the portal draws with, embedded.

A PDF that does not carry its font is drawn with whatever the reader has. reportlab's
built-in Chinese CID fonts (``STSong-Light``, used here before) are never embedded:
a reader without Adobe's matching font shows boxes, or no Chinese at all. The 14 base
fonts (Helvetica, Times, Courier, …) are never embedded either. reportlab does embed
subsets of TrueType fonts with ``glyf`` outlines (not CFF/OpenType ones such as Noto
CJK), so the portal ships WenQuanYi Micro Hei (``nanxi/fonts/README.md``) and makes it
the font of every piece of text reportlab would otherwise set in Helvetica:

- ``chinese_font()`` registers it, as the bold and italic members of its family too
  (it has neither, and ``<b>`` would otherwise switch to Helvetica-Bold), and makes it
  the initial font of every canvas and of reportlab.graphics drawings;
- ``paragraph_styles()`` and ``table_style()`` are what a platypus document needs:
  reportlab's sample styles and table cells pick Helvetica when reportlab is
  imported, before we can say otherwise.

The text on a PDF comes from its callers; this module only supplies the font.
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import TableStyle

CHINESE_FONT = "NanxiChinese"
# A font without these would print boxes on every poster and report.
REQUIRED_CHARACTERS = "南京西路街道楼组星级美丽年度报告0123456789AZaz★"


def _unusable(path: Path, zh: str, en: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"PDF 字体文件 {path} 无法使用：{zh}。"
        "请把 PDF_FONT_PATH 设为含中文字形的 TrueType 字体"
        "（不支持 Noto CJK 等 CFF/OpenType 字体），或删除该设置以使用项目自带的"
        " nanxi/fonts/wqy-microhei.ttc。\n"
        f"Cannot use the PDF font file {path}: {en}. Set PDF_FONT_PATH to a "
        "TrueType font with Chinese glyphs (CFF/OpenType fonts such as Noto CJK are "
        "not supported), or unset it to use the shipped nanxi/fonts/wqy-microhei.ttc."
    )


def _load_font(path: Path) -> TTFont:
    if not path.is_file():
        raise _unusable(path, "文件不存在", "no such file")
    try:
        # In a .ttc collection, face 0; a plain .ttf ignores the index.
        font = TTFont(CHINESE_FONT, str(path), subfontIndex=0)
    except Exception as exc:
        # A truncated or foreign file fails anywhere in reportlab's parser (TTFError,
        # struct.error, …); whatever the cause, the file is not a font we can embed.
        raise _unusable(
            path,
            f"不是可嵌入的 TrueType 字体（{exc}）",
            f"not a TrueType font reportlab can embed ({exc})",
        ) from exc
    missing = "".join(
        c for c in REQUIRED_CHARACTERS if ord(c) not in font.face.charToGlyph
    )
    if missing:
        raise _unusable(
            path, f"缺少这些字的字形：{missing}", f"it has no glyphs for {missing}"
        )
    return font


@cache
def chinese_font() -> str:
    """Register the portal's PDF font and return its reportlab name.

    Reads ``settings.PDF_FONT_PATH`` once per process. Raises ``ImproperlyConfigured``,
    naming the file, when it is missing, not a TrueType font, or lacks Chinese glyphs:
    a PDF with boxes for characters is worse than no PDF.
    """
    font = _load_font(Path(settings.PDF_FONT_PATH))
    pdfmetrics.registerFont(font)
    # "canvas graphics" sets rl_config.canvas_basefontname (every Canvas, and so every
    # platypus document, starts in this font) and defaultGraphicsFontName (labels of
    # reportlab.graphics drawings and charts).
    pdfmetrics.registerFontFamily(
        CHINESE_FONT,
        normal=CHINESE_FONT,
        bold=CHINESE_FONT,
        italic=CHINESE_FONT,
        boldItalic=CHINESE_FONT,
        baseFontFor="canvas graphics",
    )
    return CHINESE_FONT


def paragraph_styles() -> StyleSheet1:
    """reportlab's sample style sheet (Normal, Title, Heading1…, lists) in our font.

    A fresh copy on each call, so a caller may change its styles freely. Headings
    differ by size only: the font has no bold. Paragraphs wrap between any two Chinese
    characters (``wordWrap="CJK"``), as Chinese text has no spaces to break at.
    """
    font = chinese_font()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.bulletFontName = font
        if isinstance(style, ParagraphStyle):
            style.fontName = font
            style.wordWrap = "CJK"
    return styles


def table_style(*commands: tuple) -> TableStyle:
    """A platypus ``TableStyle`` whose cells are in our font, followed by ``commands``.

    A cell holding a plain string is otherwise drawn in Helvetica; cells holding
    Paragraphs take the font of their style.
    """
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), chinese_font()), *commands])
