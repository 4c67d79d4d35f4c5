import io

from django.core.management import call_command

from reports.models import AnnualReport
from tests.pdf_helpers import pdf_fonts, pdf_text


def test_demo_prints_the_newsletters_2020_figures(db):
    call_command("demo", stdout=io.StringIO())

    report = AnnualReport.objects.get(year=2020)
    assert report.status == AnnualReport.Status.DONE
    with report.pdf.open("rb") as f:
        pdf = f.read()
    text = pdf_text(pdf)
    # The newsletter: 33 projects (13 / 9 / 11), 14000 beneficiaries, 18500 yuan,
    # 107 star-rated groups, 3 newly three-star, 5 upgraded, 66 district applications.
    assert "13 / 9 / 11" in text
    for figure in ("33", "14000", "18500", "107", "66"):
        assert f"\n{figure}\n" in text or f" {figure} " in text, figure
    p, b = report.figures["projects"], report.figures["buildings"]
    assert (p["total"], p["event"], p["team"], p["doorstep"]) == (33, 13, 9, 11)
    assert p["beneficiaries"] == 14000
    assert float(p["crowdfunding"]) == 18500
    assert (b["star_rated"], b["new_three_star"], b["upgraded_four_star"]) == (
        107,
        3,
        5,
    )
    assert b["district_applications"] == 66
    assert "升平街65号" in text  # a showcase case
    assert all(font.embedded for font in pdf_fonts(pdf))
