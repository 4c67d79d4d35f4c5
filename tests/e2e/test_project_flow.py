import os
from datetime import timedelta

import pytest
from django.utils.timezone import localdate
from PIL import Image

from nanxi import roles
from projects.models import Contribution, Project, Vote
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, AreaFactory, make_user

# Transactional: the live server's thread reads what the test writes.
pytestmark = pytest.mark.django_db(transaction=True)


def click_move(page, label: str) -> None:
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()
    assert "项目已推进到下一步" in page.content(), page.locator(
        ".messages"
    ).inner_text()


def test_proposal_to_evaluation_in_the_browser(
    new_page, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    area = AreaFactory(name="华业", slug="huaye")
    proposer = make_user(roles.RESIDENT, area=area, verified=True)
    staff = make_user(roles.AREA_STAFF, area=area)
    voters = [make_user(roles.RESIDENT, area=area, verified=True) for _ in range(2)]
    photo = tmp_path / "garden.jpg"
    Image.new("RGB", (800, 600), "green").save(photo, "JPEG")

    # A resident proposes, with a photo.
    resident = new_page()
    log_in(resident, live_server, proposer.email, PASSWORD)
    resident.goto(f"{live_server.url}/projects/new/")
    resident.fill("#id_title", "月季苑")
    resident.fill("#id_summary", "把堆垃圾的角落变成花园。")
    resident.fill("#id_description", "楼组居民和共建单位一起种月季。")
    resident.check("input[name=category][value=doorstep]")
    resident.set_input_files("#id_photos", str(photo))
    resident.get_by_role("button", name="提交提案").click()
    resident.wait_for_url("**/projects/*/")
    assert "您的提案已提交居委会" in resident.content()
    project = Project.objects.get(title="月季苑")
    assert project.photos.count() == 1
    url = f"{live_server.url}/projects/{project.pk}/"

    # Area staff accept it and open the vote.
    office = new_page()
    log_in(office, live_server, staff.email, PASSWORD)
    office.goto(url)
    click_move(office, "受理审核")
    click_move(office, "开始民主协商")
    # Opening the vote takes its closing day.
    closes = (localdate() + timedelta(days=7)).isoformat()
    office.fill("#move-vote_closes_on", closes)
    click_move(office, "开始居民表决")
    assert closes in office.locator("#vote-deadline").inner_text()

    # Two verified residents vote.
    for voter in voters:
        page = new_page()
        log_in(page, live_server, voter.email, PASSWORD)
        page.goto(url)
        page.check("input[name=choice][value=support]")
        page.get_by_role("button", name="投票").click()
        page.wait_for_load_state()
        assert "您的投票已计入" in page.content()
    assert Vote.objects.filter(project=project, choice="support").count() == 2

    # Staff move it on, record a contribution and the evaluation.
    office.goto(url)
    assert "3" in office.locator("#turnout").inner_text()  # verified: 1 + 2 voters
    # Closing before the closing day is over takes a reason.
    office.fill("#move-note", "全楼居民都已投票")
    click_move(office, "结束表决并立项公示")
    click_move(office, "开始众筹筹资")
    office.fill("#id_contributor", "国际集团")
    office.fill("#id_amount", "1500")
    office.fill("#id_contributed_on", "2020-06-01")
    office.get_by_role("button", name="登记").click()
    office.wait_for_load_state()
    assert Contribution.objects.get(project=project).amount == 1500
    # A resident pledges online; staff confirm when the money came.
    backer = new_page()
    log_in(backer, live_server, voters[1].email, PASSWORD)
    backer.goto(url)
    backer.locator("#pledge input[name=amount]").fill("50")
    backer.locator("#pledge").get_by_role("button").click()
    backer.wait_for_load_state()
    assert backer.locator("#my-pledge").count() == 1
    office.goto(f"{url}pledges/")
    office.locator("#pledges form[action$='/confirm/'] button").click()
    office.wait_for_load_state()
    assert Contribution.objects.filter(project=project).count() == 2
    office.goto(url)
    click_move(office, "开始组织实施")
    click_move(office, "成果验收")
    click_move(office, "开始居民评议")
    office.fill("#id_beneficiaries", "320")
    office.get_by_role("button", name="登记").click()
    office.wait_for_load_state()
    # One resident rates online, one form comes in on paper: satisfaction is derived.
    rater = new_page()
    log_in(rater, live_server, voters[0].email, PASSWORD)
    rater.goto(url)
    rater.check("#rate input[name=stars][value='4']")
    rater.locator("#rate").get_by_role("button").click()
    rater.wait_for_load_state()
    assert rater.locator("#my-rating").count() == 1
    office.goto(url)
    office.fill("#paper-form_number", "华业-001")
    office.check("input[name=stars][value='5']")
    office.locator("form[action$='/paper_evaluation/'] button").click()
    office.wait_for_load_state()
    click_move(office, "总结推广")
    # 结项 waits for the case summary (step 12 is 总结推广).
    assert office.locator("#finish-refused").count() == 1
    office.fill("#summary-form textarea", "居民一起把堆垃圾的角落变成了花园。")
    office.get_by_role("button", name="保存总结").click()
    office.wait_for_load_state()
    office.get_by_role("button", name="结项").click()
    office.wait_for_load_state()

    # Anyone sees the whole story.
    public = new_page()
    public.goto(url)
    timeline = public.locator("#timeline li")
    assert timeline.count() == 12  # drafted, submitted, 4…12, completed
    assert "已完成" in public.locator("#current-step").inner_text()
    assert "赞成 2" in public.locator("#vote-totals").inner_text()
    assert "1,550.00" in public.locator("#raised").inner_text()
    assert "320" in public.locator("#evaluation").inner_text()
    assert public.locator("#satisfaction").inner_text() == "90%"  # 4.5 ★ of 5
    # The proposer was told of every step, and the backer of the confirmed pledge.
    resident.goto(f"{live_server.url}/notifications/")
    assert resident.locator("#notifications li").count() >= 9
    assert resident.locator("#notifications-link .badge").count() == 1
    backer.goto(f"{live_server.url}/notifications/")
    assert "50.00" in backer.locator("#notifications").inner_text()
    if os.environ.get("SCREENSHOT_DIR"):
        public.screenshot(
            path=os.path.join(os.environ["SCREENSHOT_DIR"], "project.png"),
            full_page=True,
        )
