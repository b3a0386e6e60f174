"""The web app against a hostile browser or client, on SQLite and PostgreSQL: stored script in links, framing and
caching, far-future dates, DNS rebinding and forged origins, login CSRF, racing the sign-in lock-out, sharing
groups set by every writer, NUL in the sign-in form.

Each test names the finding it closes; the attacks are the ones the black-box test used."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from jirga.db.access_schema import AuditEntry
from jirga.db.schema import Report
from jirga.web.app import create_app
from tests.test_web_api import API, PASSWORD, PATROL, RALLY, Site, ingest, open_site

HOSTILE_URLS = ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<script>1</script>",
                "file:///etc/passwd", "//evil.example/x", "vbscript:msgbox(1)", "java\tscript:alert(1)"]


@pytest.fixture
def site(store):
    """A store of its own with four users (see tests.test_web_api.open_site) and one GREEN report of ours."""
    site = open_site(store)
    ingest(store, store.local_org_id(), [_incoming(PATROL)], tlp="green")
    return site


@pytest.fixture
def no_users(store):
    """A store without users: whoever reaches the app acts as the local organisation's implicit admin."""
    return store


def _incoming(text: str):
    from jirga.model.report import IncomingReport

    return IncomingReport(text, "test", source="Dawn", published=dt.date(2016, 8, 9))


def _bearer(site: Site, who: str = "amina") -> dict:
    return {"Authorization": f"Bearer {site.people[who].token}"}


def _report_id(site: Site) -> int:
    with site.store.session() as session:
        return session.scalar(select(Report.id).order_by(Report.id))


# Finding 1: stored XSS through a report's URL; no Content-Security-Policy


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_api_refuses_a_report_link_that_is_not_http(site, url):
    body = {"text": RALLY, "source": "AFP", "url": url}
    response = site.post("/reports", body, who="bilal")
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("body url: ")  # names the field and says why
    assert site.ok("/reports", source="AFP")["items"] == []  # nothing stored


def test_a_stored_script_link_shows_as_text_never_as_a_link(site):
    # Stored before the writers checked, or by a reader that let it through: the reader must not make it a link.
    report_id = _report_id(site)
    with site.store.session() as session:
        session.execute(update(Report).where(Report.id == report_id).values(url="javascript:alert(document.cookie)"))
    page = site.client.get(f"/reports/{report_id}", headers=_bearer(site))
    assert page.status_code == 200
    assert not re.search(r"href=[\"']?\s*javascript", page.text, re.I)
    assert "javascript:alert(document.cookie)" in page.text  # shown, as text
    with site.store.session() as session:
        session.execute(update(Report).where(Report.id == report_id).values(url="https://example.org/a?b=1&c=2"))
    page = site.client.get(f"/reports/{report_id}", headers=_bearer(site))
    assert 'href="https://example.org/a?b=1&amp;c=2"' in page.text


def _pages(site: Site) -> list[str]:
    report_id = _report_id(site)
    return ["/incidents", "/incidents/trend", f"/reports/{report_id}", "/reports", "/reports/new", "/code",
            "/actors", "/watchlists", "/search?q=police", "/incidents/987654", "/share/preview?partner=Partner"]


def test_every_answer_carries_the_security_headers(site):
    answers = [site.client.get(path, headers=_bearer(site)) for path in _pages(site)]
    answers += [site.client.get("/login"), site.client.get("/incidents"),  # a redirect to the sign-in page
                site.get("/incidents"), site.get("/reports/987654"), site.get("/incidents", who=None)]
    for answer in answers:
        headers = answer.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["cache-control"] == "no-store", answer.url  # pages and answers hold marked data
    static = site.client.get("/static/jirga.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")
    assert static.headers["x-content-type-options"] == "nosniff"


def test_pages_hold_no_inline_script_or_style_the_policy_would_block(site):
    for path in [*_pages(site), "/login"]:
        text = site.client.get(path, headers=_bearer(site)).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=|javascript:", text, re.I), path
        assert 'name="htmx-config"' in text or "<html" not in text  # HTMX adds no style of its own


# Finding 8: a store without users driven by any web page (Origin: null, DNS rebinding)


def test_a_request_for_another_host_is_refused(no_users):
    client = TestClient(create_app(store=no_users), base_url="http://rebind.example")
    body = {"text": RALLY, "source": "AFP"}
    created = client.post(f"{API}/reports", json=body, headers={"Origin": "http://rebind.example"})
    assert created.status_code == 400 and "does not answer as 'rebind.example'" in created.text
    assert client.get(f"{API}/reports").status_code == 400
    assert client.get("/incidents").status_code == 400
    with no_users.session() as session:
        assert session.scalar(select(Report.id)) is None
    # Loopback names are answered, with or without a port.
    for host in ("http://127.0.0.1:8000", "http://localhost", "http://[::1]:8000"):
        assert TestClient(create_app(store=no_users), base_url=host).get(f"{API}/reports").status_code == 200


def test_hosts_named_by_the_option_or_the_environment_are_answered(no_users, monkeypatch):
    named = TestClient(create_app(store=no_users, hosts=["jirga.example.org"]), base_url="https://jirga.example.org")
    assert named.get(f"{API}/reports").status_code == 200
    monkeypatch.setenv("JIRGA_ALLOWED_HOSTS", "a.example, B.Example:8443")
    app = create_app(store=no_users)
    for host in ("http://a.example", "http://b.example:8443"):
        assert TestClient(app, base_url=host).get(f"{API}/reports").status_code == 200
    assert TestClient(app, base_url="http://c.example").get(f"{API}/reports").status_code == 400


@pytest.mark.parametrize("headers", [{"Origin": "null"}, {"Origin": "http://evil.example"},
                                     {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}])
def test_a_forged_origin_cannot_write_as_the_implicit_admin(no_users, headers):
    client = TestClient(create_app(store=no_users), base_url="http://127.0.0.1:8000")
    created = client.post(f"{API}/reports", json={"text": RALLY, "source": "AFP"}, headers=headers)
    assert created.status_code == 403 and "may not change anything here" in created.json()["error"]
    form = client.post("/code", data={"source": "Field office", "kind": "attack"}, headers=headers)
    assert form.status_code == 403
    with no_users.session() as session:
        assert session.scalar(select(Report.id)) is None
    same = client.post(f"{API}/reports", json={"text": RALLY, "source": "AFP"},
                       headers={"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 201, same.text


# Finding 12: login CSRF


def _login_form(client: TestClient) -> str:
    page = client.get("/login")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_sign_in_works_from_the_sites_own_form(site):
    client = site.client
    token = _login_form(client)
    signed = client.post("/login", data={"username": "vera", "password": PASSWORD, "csrf": token},
                         headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert signed.status_code == 303 and "jirga_session" in signed.cookies
    client.cookies.clear()


@pytest.mark.parametrize("origin", ["http://evil.example", "null"])
def test_sign_in_from_another_site_is_refused(site, origin):
    client = site.client
    token = _login_form(client)  # even with the token (another site cannot read it, but say it could)
    forged = client.post("/login", data={"username": "vera", "password": PASSWORD, "csrf": token},
                         headers={"Origin": origin}, follow_redirects=False)
    assert forged.status_code == 403 and "jirga_session" not in forged.cookies
    assert "may not change anything here" in forged.text
    client.cookies.clear()


@pytest.mark.parametrize("token", [None, "", "guessed"])
def test_sign_in_without_the_forms_token_is_refused(site, token):
    client = site.client
    _login_form(client)  # the browser holds the cookie; the forged form cannot know its value
    data = {"username": "vera", "password": PASSWORD} | ({"csrf": token} if token is not None else {})
    forged = client.post("/login", data=data, follow_redirects=False)
    assert forged.status_code == 403 and "jirga_session" not in forged.cookies
    assert "the sign-in form is out of date" in forged.text
    client.cookies.clear()
    no_cookie = client.post("/login", data={"username": "vera", "password": PASSWORD, "csrf": "x"},
                            follow_redirects=False)
    assert no_cookie.status_code == 403 and "jirga_session" not in no_cookie.cookies


def _denied_logins(site: Site) -> list[str]:
    with site.store.session() as session:
        return list(session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "login",
                                                                   AuditEntry.result == "denied")))


# Finding 4: one far-future date made everyone's trend chart a 120 MB answer


def _date_incidents(site: Site, day: dt.date) -> None:
    """Every incident of ours now dated `day`, as a hostile feed (or a typo) could once date one."""
    from jirga.db.schema import Incident

    with site.store.session() as session:
        session.execute(update(Incident).values(date_start=day, date_end=day))


@pytest.mark.parametrize("day", [dt.date(9999, 12, 31), dt.date(1, 1, 1)])
def test_a_far_away_date_does_not_stretch_the_charts(site, day):
    before = site.client.get("/incidents/trend", headers=_bearer(site, "pavel"))
    ingest(site.store, site.store.local_org_id(), [_incoming(RALLY)], tlp="green")  # a second, ordinary one
    with site.store.session() as session:
        from jirga.db.schema import Incident

        first = session.scalar(select(Incident.id).order_by(Incident.id))
        session.execute(update(Incident).where(Incident.id == first).values(date_start=day, date_end=day))
    for who in ("pavel", "amina"):  # GREEN: every organisation's chart had it
        trend = site.client.get("/incidents/trend", headers=_bearer(site, who))
        assert trend.status_code == 200 and len(trend.text) < 20_000, len(trend.text)
        assert trend.text.count("<rect") <= 2 * 72  # two charts (attacks, killed), each of at most 72 buckets
        assert "9999" not in trend.text
    actor = site.client.get("/actors/islamic-state", headers=_bearer(site))
    assert actor.status_code == 200 and len(actor.text) < 50_000
    assert before.status_code == 200


def test_charts_span_what_was_asked_or_counted_and_never_the_future_nor_before_1900():
    from jirga.assess.aggregate import Row, Totals
    from jirga.assess.stats import Stats, span
    from jirga.store.queries import IncidentFilter
    from jirga.web.charts import MAX_YEARS, years_between

    today = dt.date(2026, 5, 1)
    counted = Stats("month", IncidentFilter(), [Row(key, None, key, Totals(1)) for key in
                                                ("0001-01", "2016-08", "2026-05", "2026-06", "9999-12")], Totals(5))
    assert span(counted, IncidentFilter(), today=today) == (dt.date(2016, 8, 1), dt.date(2026, 5, 2))
    assert span(counted, IncidentFilter(since="2020", until="2021"), today=today) == (dt.date(2020, 1, 1),
                                                                                      dt.date(2021, 12, 31))
    nothing = Stats("month", IncidentFilter(), [Row("9999-12", None, "", Totals(1))], Totals(1))
    assert span(nothing, IncidentFilter(), today=today) is None
    years = years_between({1: 1, 2016: 2, 2026: 1, 9999: 5}, today=today)
    assert len(years) == MAX_YEARS and years[-1] == ("2026", 1)
    assert years_between({}, today=today) == []


@pytest.mark.parametrize("published", ["9999-12-31", "1899-12-31", "2999-01-01"])
def test_api_refuses_a_report_published_outside_the_window(site, published):
    response = site.post("/reports", {"text": RALLY, "source": "AFP", "published": published}, who="bilal")
    assert response.status_code == 422, response.text
    assert f"published {published} is outside 1900-01-01 to" in response.json()["error"]
    assert site.ok("/reports", source="AFP")["items"] == []


@pytest.mark.parametrize("path,data,message", [
    ("/reports/new", {"source": "AFP", "text": RALLY, "published": "9999-12-31"}, "published 9999-12-31 is outside"),
    ("/reports/new", {"source": "AFP", "text": RALLY, "published": "1066"}, "published 1066-01-01 is outside"),
    ("/code", {"source": "Field office", "kind": "attack", "date": "9999-12-31"}, "date 9999-12-31 is outside"),
    ("/code", {"source": "Field office", "kind": "attack", "date": "2016-08-08", "published": "3000"},
     "reported on 3000-01-01 is outside"),
])
def test_forms_refuse_dates_outside_the_window(site, path, data, message):
    before = site.ok("/reports")
    response = site.client.post(path, data=data, headers=_bearer(site))
    assert response.status_code == 422 and message in response.text
    assert site.ok("/reports") == before  # nothing stored


@pytest.mark.parametrize("params,message", [({"since": "9999"}, "since 9999-01-01 is outside"),
                                            ({"until": "0001-01-01"}, "until 0001-01-01 is outside"),
                                            ({"until": "9999-12"}, "not a date")])
def test_filters_refuse_dates_outside_the_window(site, params, message):
    api = site.get("/incidents", **params)
    assert api.status_code == 400 and message in api.json()["error"]
    for path in ("/incidents", "/incidents/trend"):
        page = site.client.get(path, params=params, headers=_bearer(site))
        assert page.status_code == 400 and message in page.text


# Finding 11: the sign-in lock-out could be raced, and argon2 on unknown usernames was unbounded


def _together(count: int, attempt) -> list:
    """Run `attempt(i)` in `count` threads released at the same moment; their results or exceptions."""
    import threading

    start, results = threading.Barrier(count), [None] * count

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = attempt(i)
        except Exception as error:  # the refusals are what the test counts
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def _wrong_passwords(site: Site, username: str) -> int:
    from jirga.access.auth import WRONG_PASSWORD

    with site.store.session() as session:
        return len(session.scalars(select(AuditEntry.id).where(
            AuditEntry.action == "login", AuditEntry.actor == username,
            AuditEntry.detail.contains(WRONG_PASSWORD))).all())


@pytest.mark.parametrize("workers", ["threads", "processes"])
def test_concurrent_guesses_are_counted_one_at_a_time(site, workers, monkeypatch):
    import threading

    from jirga.access import auth

    if workers == "processes":
        if site.store.dialect != "postgresql":
            pytest.skip("SQLite is served by one process")
        monkeypatch.setattr(auth, "_turn", lambda key: threading.Lock())  # as if each guess came to its own worker
    results = _together(10, lambda i: auth.sign_in_with_password(site.store, "vera", f"guess number {i}", "web@x"))
    assert all(isinstance(result, auth.AuthenticationError) for result in results)
    assert _wrong_passwords(site, "vera") == auth.MAX_FAILURES  # five passwords checked, not ten
    assert sum("wrong passwords within" in str(result) for result in results) == 10 - auth.MAX_FAILURES
    with pytest.raises(auth.AuthenticationError, match="wrong passwords within"):
        auth.sign_in_with_password(site.store, "vera", PASSWORD)


def test_argon2_runs_a_bounded_number_at_once_for_unknown_usernames_too(site, monkeypatch):
    import threading
    import time

    from jirga.access import auth

    real, lock, running, most, checked = auth._hasher, threading.Lock(), [0], [0], []

    class Counting:
        def verify(self, stored, password):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                checked.append(stored)
            time.sleep(0.05)  # as long as a real check, so the attempts overlap
            try:
                return real.verify(stored, password)
            finally:
                with lock:
                    running[0] -= 1

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(auth, "_hasher", Counting())
    results = _together(16, lambda i: auth.sign_in_with_password(site.store, f"nobody{i}", "a guess", "web@x"))
    assert all(isinstance(result, auth.AuthenticationError) for result in results)
    assert len(checked) == 16 and set(checked) == {auth._dummy_hash()}  # each unknown name costs a hash, as a user
    assert 1 < most[0] <= auth.MAX_HASHING


# Low: NUL in the sign-in username gave an unaudited 500 on PostgreSQL


@pytest.mark.parametrize("username", ["ve\x00ra", "vera\x1b[2J", "\x00"])
def test_a_control_character_in_the_username_is_refused_and_audited(site, username):
    client = site.client
    token = _login_form(client)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 401 and "a username holds no control characters" in response.text
    assert "jirga_session" not in response.cookies
    assert username.encode("unicode_escape").decode() in _denied_logins(site)
    client.cookies.clear()
