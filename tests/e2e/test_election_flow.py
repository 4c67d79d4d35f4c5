import os

import pytest

from committees import services
from committees.models import Election, Step, Term
from nanxi import roles
from tests.committees.conftest import make_estate
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, AreaFactory, make_user

# Transactional: the live server's thread reads what the test writes.
pytestmark = pytest.mark.django_db(transaction=True)

CANDIDATES = [
    ("王建国", "chair", "13916210001"),
    ("李秀英", "vice_chair", "13916210002"),
    ("张志强", "member", "13916210003"),
]


def move_on(page) -> None:
    page.locator("form[action$='/move/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".message.error").count() == 0, page.locator(
        ".messages"
    ).inner_text()


def test_formation_from_preparatory_group_to_filing(new_page, live_server):
    area = AreaFactory(name="华业", slug="huaye")
    staff = make_user(roles.AREA_STAFF, area=area)
    street = make_user(roles.STREET_STAFF)
    estate = make_estate(area, name="华业大楼", households=300, floor_area="30000")
    committee = services.committee_create(estate=estate, by=street)
    committee_url = f"{live_server.url}/committees/{committee.pk}/"

    # Area staff form the preparatory group (成立筹备组).
    office = new_page()
    log_in(office, live_server, staff.email, PASSWORD)
    office.goto(committee_url)
    office.check("input[name=kind][value=formation]")
    office.locator("form[action$='/elections/new/'] button[type=submit]").click()
    office.wait_for_url("**/committees/elections/*/")
    election = Election.objects.get()

    # They add the candidates and announce them (候选人公示).
    for name, role, phone in CANDIDATES:
        office.fill("#id_name", name)
        office.select_option("#id_role", role)
        office.fill("#id_phone", phone)
        office.locator("#candidate-form button[type=submit]").click()
        office.wait_for_load_state()
    assert office.locator("#candidates tr").count() == 3
    move_on(office)
    move_on(office)  # 业主大会表决

    # The owners' assembly: 240 of 300 owners, 24000 of 30000 m² took part.
    office.fill("#id_participating_owners", "240")
    office.fill("#id_participating_area", "24000")
    for candidate in election.candidates.all():
        office.fill(f"#id_owners_{candidate.pk}", "200")
        office.fill(f"#id_area_{candidate.pk}", "20000")
    office.locator("#vote-form button[type=submit]").click()
    office.wait_for_load_state()
    assert "80.00%" in office.locator(".ratios").first.inner_text()
    move_on(office)  # 结果公示
    move_on(office)  # 备案
    election.refresh_from_db()
    assert election.step == Step.FILED
    assert office.locator("#new-term").count() == 1
    assert Term.objects.get().members.count() == 3

    # Anyone sees the new term and its members, never a phone number.
    public = new_page()
    public.goto(committee_url)
    term = Term.objects.get()
    assert term.start.isoformat() in public.locator("#current-term").inner_text()
    members = public.locator("#members").inner_text()
    assert "王建国" in members and "李秀英" in members
    content = public.content()
    for _, _, phone in CANDIDATES:
        assert phone not in content
    assert "80.00%" in content
    if os.environ.get("SCREENSHOT_DIR"):
        public.screenshot(
            path=os.path.join(os.environ["SCREENSHOT_DIR"], "committee.png"),
            full_page=True,
        )
