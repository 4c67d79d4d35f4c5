from decimal import Decimal
from fractions import Fraction

import pytest

from nanxi.formatting import percent


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        (Fraction(60, 90), "66.67%"),  # rounded half up, never truncated
        (Fraction(2, 3), "66.67%"),
        (Fraction(1, 3), "33.33%"),
        (Fraction(1, 8), "12.50%"),
        (Fraction(1, 80000), "0.00%"),
        (Fraction(1, 20000), "0.01%"),  # exactly half a hundredth: up
        (Fraction(1), "100.00%"),
        (Decimal("0.5"), "50.00%"),
        (0, "0.00%"),
    ],
)
def test_percent_rounds_half_up_to_two_places(ratio, shown):
    assert percent(ratio) == shown


def test_no_ratio_is_a_dash():
    assert percent(None) == "—"
