"""Shared PDF pieces: the Chinese font every PDF of the portal uses."""

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CHINESE_FONT = "STSong-Light"


@cache
def chinese_font() -> str:
    """Register and return the name of a font that has the Chinese characters.

    reportlab's built-in Adobe CID font needs no file; PDF readers render it with
    their own Song face.
    """
    pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    return CHINESE_FONT
