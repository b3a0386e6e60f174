"""The analyst's workbench: pages that keep an analyst oriented while the incidents change under them."""

from __future__ import annotations

import re

import pytest

from tests.test_web_admin import csrf, signed_in
from tests.test_web_api import hospital_reports, ingest, open_site


@pytest.fixture
def site(store):
    site = open_site(store)
    ingest(store, store.local_org_id(), hospital_reports())
    return site


def test_a_merged_away_incident_leads_to_where_it_went(site):
    incidents = site.ok("/incidents", limit=50)["items"]
    keep, other = sorted(incident["id"] for incident in incidents)[:2]
    merged = site.post(f"/incidents/{keep}/merge", {"other": other, "reason": "the same attack"})
    assert merged.status_code == 200, merged.text
    client = signed_in(site, "vera")
    answer = client.get(f"/incidents/{other}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/incidents/{keep}?merged={other}"
    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and f"Incident {other} was merged into this one" in page.text
    assert "/undo" not in page.text  # a viewer is offered no undo
    # An analyst undoes it from the incident's history; it is an incident of its own again, with its own page.
    analyst = signed_in(site, "bilal")
    page = analyst.get(f"/incidents/{keep}")
    entry = next(e for e in site.ok(f"/incidents/{keep}/history") if e["action"] == "merged")
    assert f'action="/history/{entry["id"]}/undo"' in page.text
    undone = analyst.post(f"/history/{entry['id']}/undo", data={"reason": "not the same after all",
                                                                "csrf": csrf(page)}, follow_redirects=False)
    assert undone.status_code == 303, undone.text
    assert analyst.get(f"/incidents/{other}", follow_redirects=False).status_code == 200
    again = site.post(f"/history/{entry['id']}/undo", {"reason": "twice"})
    assert again.status_code == 409 and "already undone" in again.json()["error"]


def test_search_is_in_the_navigation(site):
    page = signed_in(site, "vera").get("/incidents")
    assert 'href="/search"' in page.text and 'href="/sources"' in page.text and 'href="/admin"' in page.text


def test_a_viewer_is_told_what_they_cannot_do_instead_of_being_given_the_form(site):
    viewer = signed_in(site, "vera")
    for path in ("/reports/new", "/code"):
        page = viewer.get(path)
        assert page.status_code == 200 and 'data-testid="role-needed"' in page.text and "<textarea" not in page.text
    assert 'href="/reports/new"' not in viewer.get("/incidents").text
    analyst = signed_in(site, "bilal")
    assert 'data-testid="role-needed"' not in analyst.get("/reports/new").text
    assert 'href="/reports/new"' in analyst.get("/incidents").text


def test_every_record_says_which_organisation_owns_it(site):
    client = signed_in(site, "vera")
    incident = site.ok("/incidents", limit=1)["items"][0]["id"]
    report = site.ok("/reports", limit=1)["items"][0]["id"]
    with site.store.session() as session:
        from jirga.db.schema import Organisation

        ours = session.get(Organisation, site.store.local_org_id()).name
    assert f"owned by {ours}" in client.get(f"/incidents/{incident}").text
    assert f"stored by {ours}" in client.get(f"/reports/{report}").text


def test_the_incident_page_answers_what_happened_and_lines_up_the_sources(site):
    hospital = next(i for i in site.ok("/incidents", limit=50)["items"] if i["reports"] == 2)
    page = signed_in(site, "vera").get(f"/incidents/{hospital['id']}").text
    facts = page[page.index('data-testid="facts"'):page.index('data-testid="consensus"')]
    assert "Claimed by</dt><dd>" in facts and "Islamic State" in facts and "Jamaat-ul-Ahrar" in facts
    assert "Quetta" in facts and "2016-08-08" in facts
    matrix = page[page.index('data-testid="matrix"'):page.index("Claims side by side")]
    assert "Dawn, 2016-08-09" in matrix and "Reuters, 2016-08-09" in matrix
    conflicts = set(re.findall(r'data-field="(\w+)" data-testid="matrix-conflict"', matrix))
    assert "killed" in conflicts and "responsibility" in conflicts  # 70 against 74, and two claimants
    assert "date" not in conflicts and "place" not in conflicts  # both say Quetta, 8 August


def test_a_near_match_is_offered_as_a_possible_duplicate_with_what_a_merge_would_change(site):
    items = site.ok("/incidents", limit=50)["items"]
    hospital = next(i["id"] for i in items if i["reports"] == 2)
    market = next(i["id"] for i in items if i["killed_best"] == 3)
    page = signed_in(site, "vera").get(f"/incidents/{hospital}").text
    offered = page[page.index(f'data-testid="duplicate-{market}"'):]
    assert "threshold 0.6" in offered and "date 1.00" in offered
    assert "sources would disagree: killed: 70 (Dawn) vs 3 (Geo)" in offered  # the preview shows a bad merge
    assert f'action="/incidents/{hospital}/merge"' not in page  # a viewer may not merge
    analyst = signed_in(site, "bilal")
    page = analyst.get(f"/incidents/{hospital}")
    merged = analyst.post(f"/incidents/{hospital}/merge", data={"other": str(market), "reason": "one event after all",
                                                                 "csrf": csrf(page)}, follow_redirects=True)
    assert merged.status_code == 200 and 'data-testid="duplicates"' not in merged.text


def test_search_hits_are_grouped_by_the_incidents_they_tell(site):
    page = signed_in(site, "vera").get("/search", params={"q": "Quetta hospital"}).text
    grouped = page[page.index('data-testid="by-incident"'):page.index("<h2>Reports</h2>")]
    assert grouped.count("<li>") == 1 and "told by 2 of the reports found" in grouped
    partner = signed_in(site, "pavel").get("/search", params={"q": "Quetta"}).text  # sees none of our reports
    assert 'data-testid="by-incident"' not in partner and "0 report(s) hold all of" in partner


def test_not_an_incident_leaves_the_lists_survives_reextraction_and_can_be_undone(site):
    market = next(i["id"] for i in site.ok("/incidents", limit=50)["items"] if i["killed_best"] == 3)
    analyst = signed_in(site, "bilal")
    page = analyst.get(f"/incidents/{market}")
    dismissed = analyst.post(f"/incidents/{market}/dismiss", data={"reason": "a retrospective, no new event",
                                                                   "csrf": csrf(page)}, follow_redirects=True)
    assert 'data-testid="dismissed"' in dismissed.text and "a retrospective, no new event" in dismissed.text
    assert market not in {i["id"] for i in site.ok("/incidents", limit=50)["items"]}
    # Re-extraction puts the report's event back where it was: still dismissed, not a new incident.
    from jirga.pipeline.ingest import reextract

    before = {i["id"] for i in site.ok("/incidents", limit=50)["items"]}
    reextract(site.store, force=True, workers=1)
    assert {i["id"] for i in site.ok("/incidents", limit=50)["items"]} == before
    entry = next(e for e in site.ok(f"/incidents/{market}/history") if e["action"] == "dismissed")
    undone = site.post(f"/history/{entry['id']}/undo", {"reason": "it was a new attack after all"})
    assert undone.status_code == 200, undone.text
    assert market in {i["id"] for i in site.ok("/incidents", limit=50)["items"]}
    viewer = site.post(f"/incidents/{market}/dismiss", {"reason": "no"}, who="vera")
    assert viewer.status_code == 403


def test_a_phantom_claim_is_moved_from_the_incident_page_and_through_the_api(site):
    from tests.test_move_claim import attack_and_phantom, claims_of

    attack, phantom = attack_and_phantom(site.store)
    claim = next(c for c in claims_of(site.store, phantom) if c.field == "responsibility").id
    assert f'action="/claims/{claim}/move"' not in signed_in(site, "vera").get(f"/incidents/{phantom}").text
    analyst = signed_in(site, "bilal")
    page = analyst.get(f"/incidents/{phantom}")
    assert f'action="/claims/{claim}/move"' in page.text
    for to, status in (("seven", 400), ("9999999999", 404)):  # not a number; no such incident (the form's check)
        refused = analyst.post(f"/claims/{claim}/move", data={"to": to, "reason": "x", "csrf": csrf(page)})
        assert refused.status_code == status, refused.text
    moved = analyst.post(f"/claims/{claim}/move", data={"to": str(attack), "event": "true", "reason": "same bombing",
                                                         "csrf": csrf(page)}, follow_redirects=True)
    assert moved.status_code == 200 and str(moved.url).endswith(f"/incidents/{attack}")
    assert re.search(rf'moved \d+ claim\(s\) from <a href="/incidents/{phantom}">', moved.text)
    assert analyst.get(f"/incidents/{phantom}", follow_redirects=False).headers["location"] == \
        f"/incidents/{attack}?merged={phantom}"
    # The API moves it back to an incident of its own (a claim alone; the rest of the event stays).
    answer = site.post(f"/claims/{claim}/move", {"to": "new", "reason": "a claim about another bombing"})
    assert answer.status_code == 200, answer.text
    new = answer.json()["incident_id"]
    assert [c.field for c in claims_of(site.store, new)] == ["responsibility"]
    assert site.post(f"/claims/{claim}/move", {"to": attack, "reason": "x"}, who="vera").status_code == 403
    unseen = site.post(f"/claims/{claim}/move", {"to": attack, "reason": "x"}, who="pavel")
    missing = site.post("/claims/987654/move", {"to": attack, "reason": "x"}, who="pavel")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json()["error"].replace(str(claim), "N") == missing.json()["error"].replace("987654", "N")


def test_the_triage_list_sorts_pages_both_ways_and_sums_the_whole_filter(site):
    from tests.test_move_claim import phantom_reports
    from tests.test_web_api import ingest

    ingest(site.store, site.store.local_org_id(), phantom_reports())  # four incidents: 70, 3, 6 and ? killed
    client = signed_in(site, "vera")
    first = client.get("/incidents", params={"sort": "killed", "limit": 2}).text
    assert re.search(r'data-testid="position">1–2 of 4<', first)
    assert re.findall(r'data-testid="row-killed">([^<]*)<', first) == ["70 (70-74)", "6"]
    assert 'data-testid="total-killed">79 (79–83)<' in first and "(1 without a toll)" in first
    following = re.search(r'href="/incidents\?([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(f"/incidents?{following}").text
    assert re.search(r'data-testid="position">3–4 of 4<', second) and 'rel="prev"' in second
    assert re.findall(r'data-testid="row-killed">([^<]*)<', second) == ["3", "?"]
    hospital = re.search(r'<tr class="conflict[^"]*" data-incident="(\d+)"', first).group(1)
    row = first[first.index(f'data-incident="{hospital}"'):]
    assert "≠ killed, responsibility" in row[:row.index("</tr>")] and 'data-testid="credibility"' in row
    # The quality filter and the actor's role, as the API gives them too.
    quality = client.get("/incidents", params=[("hide", "single_source"), ("hide", "undated")]).text
    assert re.search(r'data-testid="position">1–1 of 1<', quality)
    items = site.ok("/incidents", actor="Jamaat-ul-Ahrar", actor_role="mentioned")["items"]
    assert items == [] and len(site.ok("/incidents", actor="Jamaat-ul-Ahrar", actor_role="perpetrator")["items"]) == 2
    by_killed = site.ok("/incidents", sort="killed", order="asc", limit=2)
    assert [i["killed_best"] for i in by_killed["items"]] == [3, 6]
    rest = site.ok("/incidents", sort="killed", order="asc", limit=2, cursor=by_killed["next_cursor"])
    assert [i["killed_best"] for i in rest["items"]] == [70, None]
    assert site.get("/incidents", sort="victims").status_code == 422


# Written for these tests: a later account of the Quetta hospital attack, with a higher toll and a third claimant.
TOLL_RISES = ("Quetta hospital toll rises to 93\n\nQUETTA — The number of people killed in Monday's suicide bombing at "
              "the Civil Hospital in Quetta rose to 93 on Wednesday, officials said. Tehreek-e-Taliban Pakistan also "
              "claimed responsibility for the attack.")


def test_a_watchlist_tells_what_changed_in_the_incidents_it_watches(site):
    import datetime as dt

    from jirga.model.report import IncomingReport
    from tests.test_web_api import ingest

    made = site.post("/watchlists", {"name": "Quetta", "country": "PK", "province": "PK-BA"}).json()
    hospital = next(i["id"] for i in site.ok("/incidents")["items"] if i["reports"] == 2)
    assert (made["new"], made["changed"]) == (0, 0)
    ingest(site.store, site.store.local_org_id(),
           [IncomingReport(TOLL_RISES, "later", source="APP", published=dt.date(2016, 8, 10))])
    assert hospital in {i["id"] for i in site.ok("/incidents")["items"] if i["reports"] == 3}
    (listed,) = site.ok("/watchlists")
    assert (listed["new"], listed["changed"]) == (0, 1)
    assert site.ok("/watchlists", who="bilal") == []  # nobody else's
    client = signed_in(site, "amina")
    assert "1 changed" in client.get("/watchlists/badge").text
    page = client.get(f"/watchlists/{made['id']}").text
    change = page[page.index(f'data-testid="change-{hospital}"'):]
    change = change[:change.index("</li>")]
    assert "1 new report(s)" in change and "killed 70 → 93" in change, change
    assert "newly claimed by Tehrik-i-Taliban Pakistan" in change
    assert site.ok("/watchlists")[0]["changed"] == 0  # seen now
    assert site.ok(f"/watchlists/{made['id']}/changes") == []


def hints(client, *ids: int) -> dict[int, int]:
    """incident -> the possible duplicate its row names, from the list's fragment."""
    answer = client.get("/incidents/duplicates", params={"ids": ",".join(map(str, ids))})
    assert answer.status_code == 200, answer.text
    return {int(row): int(other) for row, other in
            re.findall(r'id="near-(\d+)"[^>]*>≈ possible duplicate of <a href="/incidents/(\d+)"', answer.text)}


def test_each_listed_row_names_its_possible_duplicate_among_what_the_viewer_may_see(site):
    from sqlalchemy import select, update

    from jirga.db.schema import Claim, Incident
    from jirga.store.summary import claim_rows, summarize

    items = site.ok("/incidents", limit=50)["items"]
    hospital = next(i["id"] for i in items if i["reports"] == 2)
    market = next(i["id"] for i in items if i["killed_best"] == 3)
    vera = signed_in(site, "vera")
    page = vera.get("/incidents").text
    assert f'id="near-{hospital}"' in page and 'data-testid="near-loader"' in page  # filled in after the list
    loader = re.search(r'hx-get="/incidents/duplicates\?ids=([\d,]+)"', page).group(1)
    assert {hospital, market} <= set(map(int, loader.split(",")))
    assert hints(vera, hospital, market) == {hospital: market, market: hospital}  # the page's first duplicate
    assert hints(vera, hospital) == {hospital: market}

    def share(incident_id: int) -> None:  # a partner's view of it: its claims marked TLP:GREEN
        with site.store.session() as session:
            session.execute(update(Claim).where(Claim.incident_id == incident_id).values(tlp="green"))
            summarize(session, session.scalar(select(Incident).where(Incident.id == incident_id)),
                      claim_rows(session, incident_id))

    pavel = signed_in(site, "pavel")  # the partner sees none of it: nothing named, not even the rows asked for
    assert hints(pavel, hospital, market) == {}
    share(hospital)  # now the hospital, but never the market it nearly matches
    assert hints(pavel, hospital, market) == {}
    share(market)
    assert hints(pavel, hospital, market) == {hospital: market, market: hospital}


@pytest.mark.parametrize("ids", ["", "1;DROP TABLE incidents", "1,,2", "99999999999", ",".join(["1"] * 501), "-1"])
def test_the_duplicates_fragment_refuses_what_is_not_a_list_of_incident_numbers(site, ids):
    answer = signed_in(site, "vera").get("/incidents/duplicates", params={"ids": ids})
    assert answer.status_code in (400, 422) and "Traceback" not in answer.text


def test_the_command_names_each_rows_possible_duplicate(site):
    import json

    from tests.conftest import run_jirga

    url = site.store.engine.url.render_as_string(hide_password=False)
    shown = run_jirga("incidents", "--format", "json", "--db", url, JIRGA_TOKEN=site.people["bilal"].token)
    assert shown.returncode == 0, shown.stderr
    rows = {row["id"]: row for row in json.loads(shown.stdout)}
    hospital = next(i for i, row in rows.items() if row["reports"] == 2)
    market = next(i for i, row in rows.items() if row["killed_best"] == 3)
    assert (rows[hospital]["possible_duplicate_of"], rows[market]["possible_duplicate_of"]) == (market, hospital)
    table = run_jirga("incidents", "--db", url, JIRGA_TOKEN=site.people["bilal"].token)
    assert table.returncode == 0 and f"#{market}" in table.stdout


def test_every_listed_record_shows_its_owner_beside_its_marking(site):
    from jirga.db.schema import Organisation

    with site.store.session() as session:
        local = session.get(Organisation, site.store.local_org_id()).name
    vera = signed_in(site, "vera")
    for path in ("/incidents", "/reports"):
        owners = re.findall(r'data-testid="row-owner">([^<]+)<', vera.get(path).text)
        assert owners and set(owners) == {local}, path
    hospital = next(i["id"] for i in site.ok("/incidents", limit=50)["items"] if i["reports"] == 2)
    claims = re.findall(r'data-testid="claim-owner">([^<]+)<', vera.get(f"/incidents/{hospital}").text)
    assert claims and set(claims) == {local}
