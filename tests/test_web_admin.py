"""Sources with their Admiralty grades, and the administration page: each act goes through the access library, so
a form a role may not use is not offered, and a forged one is refused and audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jirga.db.access_schema import AuditEntry
from jirga.db.schema import Source, SourceGrade
from tests.test_web_api import API, PASSWORD, Site, hospital_reports, ingest, open_site


@pytest.fixture
def site(store):
    """The four users of tests.test_web_api.open_site; two AMBER reports of ours (Dawn, Reuters) and one of Geo."""
    site = open_site(store)
    ingest(store, store.local_org_id(), hospital_reports())
    return site


def signed_in(site: Site, who: str):
    client = site.client
    client.cookies.clear()
    form = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    answer = client.post("/login", data={"username": who, "password": PASSWORD, "csrf": token},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def csrf(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def source_id(site: Site, name: str) -> int:
    with site.store.session() as session:
        return session.scalar(select(Source.id).where(Source.name == name))


def refusals(site: Site, target: str) -> list[tuple[str, str]]:
    with site.store.session() as session:
        return list(session.execute(select(AuditEntry.actor, AuditEntry.result).where(
            AuditEntry.target_type == target, AuditEntry.result != "ok")))


def test_an_analyst_grades_a_source_for_their_organisation_only(site):
    client = signed_in(site, "bilal")
    page = client.get("/sources")
    assert page.status_code == 200 and "Dawn" in page.text and 'action="/sources/' in page.text
    dawn = source_id(site, "Dawn")
    graded = client.post(f"/sources/{dawn}/grade", data={"reliability": "b", "reason": "long record, few errors",
                                                          "csrf": csrf(page)}, follow_redirects=False)
    assert graded.status_code == 303 and graded.headers["location"] == f"/sources/{dawn}"
    history = client.get(f"/sources/{dawn}")
    assert "usually reliable" in history.text and "grade F -&gt; B: long record, few errors" in history.text
    with site.store.session() as session:
        grades = {(g.org_id, g.reliability) for g in session.scalars(select(SourceGrade)
                                                                       .where(SourceGrade.source_id == dawn))}
    assert grades == {(site.people["bilal"].viewer.org_id, "B")}  # the partner's grade is not touched
    # The API reads the same grade.
    listed = {s["name"]: s["reliability"] for s in site.ok("/sources", who="bilal")}
    assert listed["Dawn"] == "B"


def test_a_bad_grade_is_said_on_the_page(site):
    client = signed_in(site, "bilal")
    page = client.get("/sources")
    answer = client.post(f"/sources/{source_id(site, 'Dawn')}/grade", data={"reliability": "Z", "csrf": csrf(page)})
    assert answer.status_code == 200 and "one letter A-F" in answer.text


def test_a_viewer_is_offered_no_grading_and_a_forged_one_is_refused_and_audited(site):
    client = signed_in(site, "vera")
    page = client.get("/sources")
    assert "Grading needs the analyst role" in page.text and 'action="/sources/' not in page.text
    forged = client.post(f"/sources/{source_id(site, 'Dawn')}/grade", data={"reliability": "A", "csrf": csrf(page)})
    assert forged.status_code == 403 and "may not grade sources" in forged.text
    assert refusals(site, "source") == [("vera", "denied")]


def test_a_source_known_only_from_hidden_reports_is_not_found(site):
    client = signed_in(site, "pavel")  # the partner sees none of our AMBER reports
    page = client.get("/sources")
    assert "Dawn" not in page.text
    dawn = source_id(site, "Dawn")
    assert client.get(f"/sources/{dawn}").status_code == 404
    forged = client.post(f"/sources/{dawn}/grade", data={"reliability": "A", "csrf": csrf(page)})
    assert forged.status_code == 404 and "Dawn" not in forged.text


def test_a_user_makes_and_revokes_their_own_token(site):
    client = signed_in(site, "vera")
    page = client.get("/admin")
    assert "Adding and disabling users needs the org admin role" in page.text and "Audit log" not in page.text
    made = client.post("/admin/tokens", data={"name": "my script", "days": "7", "csrf": csrf(page)})
    token = re.search(r'data-testid="new-token">([^<]+)<', made.text).group(1)
    assert client.get(API + "/reports", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    token_id = re.findall(r'action="/admin/tokens/(\d+)/revoke"', made.text)[-1]
    revoked = client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf": csrf(made)}, follow_redirects=False)
    assert revoked.status_code == 303
    client.cookies.clear()
    assert client.get(API + "/reports", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_only_admins_add_users_and_the_library_refuses_a_forged_form(site):
    analyst = signed_in(site, "bilal")
    page = analyst.get("/admin")
    forged = analyst.post("/admin/users", data={"username": "mallory", "role": "instance_admin",
                                                "password": PASSWORD, "csrf": csrf(page)})
    assert forged.status_code == 403
    assert ("bilal", "denied") in refusals(site, "user")
    boss = signed_in(site, "amina")
    page = boss.get("/admin")
    assert "Audit log" in page.text and "Verify the hash chain" in page.text
    added = boss.post("/admin/users", data={"username": "zahra", "role": "analyst", "password": PASSWORD,
                                            "csrf": csrf(page)}, follow_redirects=True)
    assert added.status_code == 200 and "zahra" in added.text
    short = boss.post("/admin/users", data={"username": "yusuf", "role": "analyst", "password": "short",
                                            "csrf": csrf(page)})
    assert short.status_code == 422 and "at least" in short.text
    verified = boss.get("/admin", params={"verify": "true"})
    assert re.search(r'data-testid="verdict">The chain is intact', verified.text)


def test_an_instance_admin_adds_an_organisation_and_a_user_to_it_and_no_one_else_may(site):
    boss = signed_in(site, "amina")
    page = boss.get("/admin")
    assert 'data-testid="add-org"' in page.text
    added = boss.post("/admin/orgs", data={"name": "Khyber Conflict Research Centre", "csrf": csrf(page)},
                      follow_redirects=True)
    assert added.status_code == 200 and "Khyber Conflict Research Centre" in added.text
    again = boss.post("/admin/orgs", data={"name": "Khyber Conflict Research Centre", "csrf": csrf(page)})
    assert again.status_code == 422 and "exists already" in again.text
    khyber = re.search(r'<option value="(\d+)"\s*>Khyber Conflict Research Centre</option>', added.text).group(1)
    user = boss.post("/admin/users", data={"username": "karim", "role": "org_admin", "password": PASSWORD,
                                           "org": khyber, "csrf": csrf(page)}, follow_redirects=True)
    assert user.status_code == 200
    assert re.search(r"<td>karim</td><td>Khyber Conflict Research Centre</td>", user.text)
    # An analyst is told why there is no form, and a forged one is refused and audited; so is an org admin's user
    # for another organisation.
    analyst = signed_in(site, "bilal")
    page = analyst.get("/admin")
    assert 'data-testid="add-org"' not in page.text and "needs the instance admin role" in page.text
    assert analyst.post("/admin/orgs", data={"name": "Mallory's", "csrf": csrf(page)}).status_code == 403
    assert ("bilal", "denied") in refusals(site, "organisation")
    karim = signed_in(site, "karim")
    page = karim.get("/admin")
    assert 'name="org"' not in page.text  # an org admin adds users to their own organisation only
    forged = karim.post("/admin/users", data={"username": "mallory", "role": "viewer", "password": PASSWORD,
                                              "org": str(site.store.local_org_id()), "csrf": csrf(page)})
    assert forged.status_code == 403 and ("karim", "denied") in refusals(site, "user")
    bad = boss.post("/admin/users", data={"username": "x1", "role": "viewer", "password": PASSWORD, "org": "abc",
                                          "csrf": csrf(boss.get("/admin"))})
    assert bad.status_code == 422 and "Traceback" not in bad.text
