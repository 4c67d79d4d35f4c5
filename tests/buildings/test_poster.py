from buildings.poster import PosterData, render_poster
from tests.pdf_helpers import pdf_fonts, pdf_text


def test_poster_embeds_its_font_and_prints_chinese():
    pdf = render_poster(
        PosterData(
            name="升平街65号",
            area="华业居民区",
            feature="月季苑",
            stars=5,
            url="https://nanxi.example/buildings/65/",
            heading="南京西路街道\u3000星级美丽楼组",
            caption="扫码看我们的楼组",
            footer="上海市静安区南京西路街道办事处",
        )
    )

    fonts = pdf_fonts(pdf)
    assert fonts
    assert [f.base_font for f in fonts if not f.embedded] == []
    assert [f.base_font for f in fonts if f.is_base_14] == []
    text = pdf_text(pdf)
    for line in (
        "升平街65号",
        "南京西路街道",
        "星级美丽楼组",
        "★★★★★",
        "nanxi.example",
    ):
        assert line in text
