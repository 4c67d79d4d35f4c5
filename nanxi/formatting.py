"""How a share is shown, everywhere: portal pages, the admin and the PDF.

A ratio is kept exact (a `Fraction`) for every comparison with a threshold; only
the text is rounded, half up, to two decimals: 60/90 is "66.67%", 2/3 is never
shown as "66.66%" beside "passed".
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

HUNDREDTH = Decimal("0.01")


def percent(ratio: Fraction | Decimal | int | None) -> str:
    """A ratio (0.5, not 50) as "50.00%", rounded half up; "—" when there is none."""
    if ratio is None:
        return "—"
    ratio = Fraction(ratio)
    value = Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)
    return f"{value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)}%"
