import pytest

from nanxi import roles
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, make_user
from tests.pdf_helpers import pdf_fonts, pdf_text

# Transactional: the live server's thread reads what the test writes.
pytestmark = pytest.mark.django_db(transaction=True)


def test_street_staff_print_the_2020_report_and_anyone_downloads_it(
    new_page, live_server
):
    staff = make_user(roles.STREET_STAFF)
    page = new_page()
    log_in(page, live_server, staff.email, PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    page.select_option("#id_year", "2020")
    page.click("#request-heading ~ form button[type=submit]")
    page.wait_for_load_state()
    # Eager Celery here: the report is done when the page comes back (with the
    # worker, the page refreshes itself until it is).
    row = page.locator("tr", has_text="2020")
    assert "已完成" in row.inner_text()
    href = row.locator("a").get_attribute("href")
    assert href == "/reports/2020.pdf"

    visitor = new_page()
    response = visitor.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert "2020 年度基层民主自治建设报告" in pdf_text(pdf)
    assert all(font.embedded and not font.is_base_14 for font in pdf_fonts(pdf))
