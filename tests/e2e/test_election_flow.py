import datetime
import os

import pytest
from django.utils import timezone

from committees import services
from committees.models import Election, Step, Term
from nanxi import roles
from tests.committees.conftest import make_estate
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, AreaFactory, make_user

# Transactional: the live server's thread reads what the test writes.
pytestmark = pytest.mark.django_db(transaction=True)

# Candidates stand for membership: the first meeting chooses chair and vice-chair.
CANDIDATES = [
    ("王建国", "13916210001"),
    ("李秀英", "13916210002"),
    ("张志强", "13916210003"),
    ("刘美华", "13916210004"),
    ("陈国平", "13916210005"),
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

    # They add the candidates and announce them (候选人公示): five seats, the
    # owners' assembly 15 days on (物业管理条例 art. 14).
    for name, phone in CANDIDATES:
        office.fill("#id_name", name)
        office.fill("#id_phone", phone)
        office.locator("#candidate-form button[type=submit]").click()
        office.wait_for_load_state()
    assert office.locator("#candidates tr").count() == 5
    assembly = timezone.localdate() + datetime.timedelta(days=15)
    office.fill("#id_seats", "5")
    office.fill("#id_assembly_on", assembly.isoformat())
    move_on(office)
    assert assembly.isoformat() in office.locator("#vote-from").inner_text()
    # The publicity period has passed (history replayed): the assembly votes.
    Election.objects.filter(pk=election.pk).update(vote_from=timezone.localdate())
    office.reload()
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
    # The first meeting (指导规则 art. 32): 王建国 chair, 李秀英 vice-chair.
    chair, vice = election.candidates.all()[:2]
    office.fill("#id_held_on", timezone.localdate().isoformat())
    office.check(f"input[name=chair][value='{chair.pk}']")
    office.check(f"input[name=vice_chairs][value='{vice.pk}']")
    office.locator("#first-meeting-form button[type=submit]").click()
    office.wait_for_load_state()
    move_on(office)  # 备案
    election.refresh_from_db()
    assert election.step == Step.FILED
    assert office.locator("#new-term").count() == 1
    members = list(Term.objects.get().members.values_list("name", "role"))
    assert members[:2] == [("王建国", "chair"), ("李秀英", "vice_chair")]
    assert len(members) == 5

    # Anyone sees the new term and its members, never a phone number.
    public = new_page()
    public.goto(committee_url)
    term = Term.objects.get()
    assert term.start.isoformat() in public.locator("#current-term").inner_text()
    members = public.locator("#members").inner_text()
    assert "王建国" in members and "李秀英" in members
    content = public.content()
    for _, phone in CANDIDATES:
        assert phone not in content
    assert "80.00%" in content
    if os.environ.get("SCREENSHOT_DIR"):
        public.screenshot(
            path=os.path.join(os.environ["SCREENSHOT_DIR"], "committee.png"),
            full_page=True,
        )
