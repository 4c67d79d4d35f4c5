"""The portal's own face: icon, footer, larger text, explained 405s, QR codes, forms."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from nanxi.views import TEXT_SIZE_COOKIE
from tests.projects.helpers import make_project


def ids_in(body: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', body))


# --- icon and footer ------------------------------------------------------------------


def test_favicon_ico_is_not_a_404(db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.ico")


def test_every_page_links_the_icon_and_the_footer_facts(db, client):
    body = client.get("/en/").content.decode()
    assert 'rel="icon"' in body and "img/logo.svg" in body
    assert 'href="/en/privacy/"' in body
    assert 'href="/en/admin/"' in body
    assert "Office hours" in body
    assert "上海市静安区南京西路街道办事处" in body


def test_icp_number_shows_only_when_set(db, client, settings):
    settings.ICP_FILING_NUMBER = ""
    assert "beian.miit.gov.cn" not in client.get("/en/").content.decode()
    settings.ICP_FILING_NUMBER = "沪ICP备12345678号-1"
    body = client.get("/en/").content.decode()
    assert "沪ICP备12345678号-1" in body and "beian.miit.gov.cn" in body


def test_chinese_numbers_are_grouped_by_thousands():
    template = Template("{% load humanize %}{{ n|intcomma }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"n": 14000})) == "14,000"
    with translation.override("en"):
        assert template.render(Context({"n": 18500})) == "18,500"


# --- the larger-text switch -----------------------------------------------------------


def test_larger_text_is_remembered_and_leads_back(db, client):
    response = client.post(
        "/text-size/", {"size": "large", "next": "/en/projects/?category=event"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/en/projects/?category=event"
    cookie = response.cookies[TEXT_SIZE_COOKIE]
    assert cookie.value == "large" and cookie["httponly"]
    css = client.get("/text-size.css")
    assert "137.5%" in css.content.decode()
    assert css["Cache-Control"] == "private, no-cache"


def test_standard_text_forgets_the_cookie(db, client):
    client.cookies[TEXT_SIZE_COOKIE] = "large"
    response = client.post("/text-size/", {"size": "normal", "next": "/"})
    assert response.status_code == 303
    assert response.cookies[TEXT_SIZE_COOKIE].value == ""
    client.cookies.pop(TEXT_SIZE_COOKIE)
    assert "137.5%" not in client.get("/text-size.css").content.decode()


def test_text_size_css_answers_304_when_unchanged(db, client):
    first = client.get("/text-size.css")
    again = client.get("/text-size.css", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    client.cookies[TEXT_SIZE_COOKIE] = "large"
    changed = client.get("/text-size.css", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200


@pytest.mark.parametrize("size", ["", "huge", "large; Path=/", "x" * 500])
def test_unknown_text_size_is_refused_with_a_way_back(db, client, size):
    response = client.post("/text-size/", {"size": size, "next": "/en/projects/"})
    assert response.status_code == 400
    assert TEXT_SIZE_COOKIE not in response.cookies
    assert 'href="/en/projects/"' in response.content.decode()


def test_a_forged_cookie_value_is_read_as_standard(db, client):
    client.cookies[TEXT_SIZE_COOKIE] = "} body { display: none"
    css = client.get("/text-size.css").content.decode()
    assert "display: none" not in css and "137.5%" not in css


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_text_size_never_leads_off_the_portal(db, client, target):
    response = client.post("/text-size/", {"size": "large", "next": target})
    assert response.status_code == 303 and response["Location"] == "/"


def test_pages_do_not_depend_on_the_text_size_cookie(db, client):
    """Visitors' pages are cached as they are: the size lives in /text-size.css."""
    plain = client.get("/en/projects/").content
    client.cookies[TEXT_SIZE_COOKIE] = "large"
    assert client.get("/en/projects/").content == plain


# --- a form's address opened as a page ------------------------------------------------


def test_get_on_a_vote_address_explains_and_links_back(client, area):
    project = make_project(area=area)
    response = client.get(f"/en/projects/{project.pk}/vote/")
    body = response.content.decode()
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This address takes a form" in body
    assert f'href="/en/projects/{project.pk}/"' in body


def test_get_on_the_text_size_switch_explains(db, client):
    response = client.get("/text-size/")
    assert response.status_code == 405
    assert 'href="/"' in response.content.decode()


# --- a page's QR code -----------------------------------------------------------------


def test_qr_code_of_a_portal_page(client, area):
    project = make_project(area=area)
    response = client.get("/qr.svg", {"path": f"/projects/{project.pk}/"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b"<path d=" in response.content


def test_qr_code_of_an_english_page(client, area):
    project = make_project(area=area)
    response = client.get("/qr.svg", {"path": f"/en/projects/{project.pk}/"})
    assert response.status_code == 200
    assert client.get("/qr.svg", {"path": "/en/no/such/page/"}).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["", "https://evil.example/", "//evil.example/x/", "/no/such/page/", "/" * 300],
)
def test_qr_code_only_for_the_portals_own_pages(db, client, path):
    assert client.get("/qr.svg", {"path": path}).status_code == 404


def test_project_page_prints_with_its_qr_code(client, area):
    project = make_project(area=area)
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert f"/qr.svg?path=/en/projects/{project.pk}/" in body


# --- forms: help and errors are in the page, groups are fieldsets ---------------------


def test_failed_proposal_form_names_what_its_fields_refer_to(client, resident, area):
    client.force_login(resident)
    response = client.post("/en/projects/new/", {"submit": "1", "area": area.pk})
    body = response.content.decode()
    assert response.status_code == 200
    present = ids_in(body)
    referenced = {
        ref
        for refs in re.findall(r'aria-describedby="([^"]+)"', body)
        for ref in refs.split()
    }
    assert referenced, "the form describes no field"
    assert referenced <= present, referenced - present
    # The summary at the top links to each failed field.
    summary = body[body.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert {"id_title", "id_summary", "id_category_fieldset"} <= set(targets)
    assert set(targets) <= present


def test_choice_groups_are_fieldsets_with_a_legend(client, resident):
    client.force_login(resident)
    body = client.get("/en/projects/new/").content.decode()
    for name in ("category", "topics"):
        start = body.index(f'id="id_{name}_fieldset"')
        assert body.rfind("<fieldset", 0, start) > body.rfind("</fieldset>", 0, start)
        assert "<legend>" in body[start : start + 300]


def test_file_input_has_a_button_in_the_pages_language(client, resident):
    client.force_login(resident)
    body = client.get("/en/projects/new/").content.decode()
    assert 'class="file-button"' in body and "Choose photos" in body
