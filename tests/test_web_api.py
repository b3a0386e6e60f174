"""The REST API (/api/v1) on SQLite and PostgreSQL: every endpoint's answer, keyset pages, the analysts' decisions,
stored reports and watchlists; who is refused (401, 403), what is not found (404: alike for what does not exist and
for what may not be seen, and audited), and malformed requests (400, 422), each with a message saying why.

Reads run over one store per backend holding sample reports (module scope: building it is the slow part); writes
each get a store of their own."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jirga.access import Viewer, admin
from jirga.access.auth import implicit_admin
from jirga.db import Store, open_store
from jirga.db.access_schema import AuditEntry
from jirga.db.schema import Claim, Incident, Organisation, Report
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.model.report import IncomingReport
from jirga.reference import catalog
from jirga.web.app import create_app
from tests.conftest import EXAMPLES, ingest_reports
from tests.test_fuse import HOSPITAL_A, HOSPITAL_B, MARKET

API = "/api/v1"
PASSWORD = "correct horse battery staple"
REPORTS = EXAMPLES / "reports"
SAMPLE = ["101_peshawar_army_school_wire.txt", "102_zarb_e_azb_launch.txt", "103_charsadda_bacha_khan_university.txt",
          "104_lahore_gulshan_park_easter.txt", "105_dhaka_holey_artisan_cafe.txt",
          "107_quetta_police_college_wire.txt", "109_february_2017_attacks_radd_ul_fasaad.txt",
          "113_kabul_wedding_hall_bombing.txt"]
# The partner's own report, marked TLP:RED: nobody else may learn that it exists.
PARTNER_RED = ("Car bomb kills nine outside Kabul ministry\n\nKABUL — A car bomb exploded outside the Ministry of "
               "Mines and Petroleum in Kabul on Tuesday, killing nine people, officials said. No group claimed the "
               "attack.")
RALLY = ("Islamic State claims Mastung rally bombing\n\nMASTUNG — A suicide bomber killed 25 people at an election "
         "rally in Mastung on Friday. The Islamic State group claimed responsibility through its Amaq agency.")
PATROL = ("Gunmen kill two policemen in Peshawar\n\nPESHAWAR — Gunmen on a motorcycle shot dead two policemen on "
          "patrol in Peshawar on Sunday, police said. No group claimed the attack.")
UNKNOWN = 987654


@dataclass
class Person:
    viewer: Viewer
    token: str


@dataclass
class Site:
    """A store with four users, their API tokens and the app over it."""

    store: Store
    client: TestClient
    people: dict[str, Person]
    partner_org: int
    ids: dict[str, int] = field(default_factory=dict)  # named records of the fixture's data

    def call(self, method: str, path: str, who: str | None = "amina", **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.people[who].token}"} if who else {}
        return self.client.request(method, API + path, headers=headers, **kwargs)

    def get(self, path: str, who: str | None = "amina", **params) -> httpx.Response:
        return self.call("GET", path, who, params=params)

    def post(self, path: str, body: dict, who: str | None = "amina") -> httpx.Response:
        return self.call("POST", path, who, json=body)

    def ok(self, path: str, who: str = "amina", **params):
        response = self.get(path, who, **params)
        assert response.status_code == 200, response.text
        return response.json()


def open_site(store: Store) -> Site:
    """amina (the first user, so an instance admin), bilal (analyst) and vera (viewer) of the local organisation;
    pavel, an analyst of a partner organisation that shares no group with it."""
    boss = implicit_admin(store)
    local = store.local_org_id()
    partner = admin.add_org(store, boss, "Partner")
    people = {}
    for name, role, org in (("amina", "instance_admin", local), ("bilal", "analyst", local),
                            ("vera", "viewer", local), ("pavel", "analyst", partner)):
        user_id = admin.add_user(store, boss, name, role, PASSWORD, org)
        viewer = Viewer(user_id, org, role, name)
        if name == "amina":
            boss = viewer  # the implicit admin is gone once the first user exists
        people[name] = Person(viewer, admin.create_token(store, viewer)[1])
    client = TestClient(create_app(store=store, hosts=["testserver"]), raise_server_exceptions=True)
    return Site(store, client, people, partner)


def ingest(store: Store, owner: int, reports, **options) -> None:
    ingest_reports(store, reports, owner=owner, silent=True, **options)


def hospital_reports() -> list[IncomingReport]:
    """Two accounts of one Quetta attack that disagree (70 killed, claimed by Jamaat-ul-Ahrar; 74, by Islamic State)
    and a market bombing of the same day."""
    return [IncomingReport(text, source, source=source, published=dt.date(2016, 8, 9))
            for text, source in ((HOSPITAL_A, "Dawn"), (HOSPITAL_B, "Reuters"), (MARKET, "Geo"))]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def library(request, databases):
    """The sample reports, the hospital reports (ours, TLP:AMBER) and the partner's TLP:RED report. Tests change
    nothing here but tokens and the audit log."""
    with databases.new(request.param) as url:
        store = open_store(url)
        site = open_site(store)
        local = store.local_org_id()
        ingest(store, local, read_inputs([str(REPORTS / name) for name in SAMPLE], detect_language=False),
               source="Sample wire", reliability="B", metadata=read_metadata(REPORTS / "metadata.csv"))
        ingest(store, local, hospital_reports())
        ingest(store, site.partner_org, [IncomingReport(PARTNER_RED, "field", source="Partner field office",
                                                        published=dt.date(2023, 5, 2))], tlp="red")
        partner = site.partner_org
        with store.session() as session:
            site.ids["red_incident"] = session.scalar(select(Incident.id).where(Incident.owner_org_id == partner))
            site.ids["red_report"] = session.scalar(select(Report.id).where(Report.owner_org_id == partner))
            site.ids["red_claim"] = session.scalar(select(func.min(Claim.id)).where(Claim.owner_org_id == partner))
        yield site
        store.close()


@pytest.fixture
def site(store):
    """A store of its own, for tests that change it: the hospital reports, ours."""
    site = open_site(store)
    ingest(store, store.local_org_id(), hospital_reports())
    return site


def all_incidents(site: Site, who: str = "amina", **filters) -> list[dict]:
    page = site.ok("/incidents", who, limit=500, **filters)
    assert page["next_cursor"] is None
    return page["items"]


def audit_since(store: Store, after: int) -> list[tuple]:
    with store.session() as session:
        return [tuple(row) for row in session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.target_type, AuditEntry.target_id,
                   AuditEntry.result).where(AuditEntry.id > after).order_by(AuditEntry.id))]


def last_audit_id(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.max(AuditEntry.id))) or 0


def incident_by(items: list[dict], date: str, title: str) -> dict:
    """The one incident of that day whose title says what and where (it goes on with the target and the date)."""
    (found,) = [i for i in items if i["date_start"] == date and
                (i["title"] == title or i["title"].startswith((f"{title} (", f"{title},")))]
    return found


# Incidents


def test_api_incidents_are_listed_newest_first_with_their_actors(library):
    items = all_incidents(library)
    assert len(items) == 16
    dated = [i["date_start"] for i in items if i["date_start"]]
    assert dated == sorted(dated, reverse=True)
    assert all(i["date_start"] is None for i in items[len(dated):])  # undated last
    for first, second in itertools.pairwise(items):
        if first["date_start"] == second["date_start"]:
            assert first["id"] > second["id"]  # ties: the newer incident first
    academy = incident_by(items, "2016-10-24", "Suicide bombing in Quetta")
    assert academy["actors"] == ["Islamic State (claimed)", "Lashkar-e-Jhangvi al-Alami (claimed)"]
    assert (academy["killed_best"], academy["country"], academy["province"], academy["conflict"]) == (
        61, "PK", "PK-BA", True)
    assert library.ids["red_incident"] not in {i["id"] for i in items}
    # The partner sees its own RED incident, and nothing of ours (TLP:AMBER, no sharing group).
    assert [i["id"] for i in all_incidents(library, "pavel")] == [library.ids["red_incident"]]


IS_NAMES = {a.name for a in catalog.load_actors() if "islamic-state" in (a.id, a.part_of)}


@pytest.mark.parametrize(("filters", "wanted"), [
    ({"country": "PK"}, lambda i: i["country"] == "PK"),
    ({"country": "Afghanistan"}, lambda i: i["country"] == "AF"),
    ({"province": "Balochistan"}, lambda i: i["province"] == "PK-BA"),
    ({"actor": "Islamic State"}, lambda i: any(a.rsplit(" (", 1)[0] in IS_NAMES for a in i["actors"])),
    ({"actor": "ISKP"}, lambda i: "Islamic State Khorasan Province (claimed)" in i["actors"]),
    ({"kind": "security_operation"}, lambda i: i["kind"] == "security_operation"),
    ({"attack_type": "suicide bombing"}, lambda i: i["attack_type"] == "suicide_bombing"),
    ({"since": "2017"}, lambda i: (i["date_end"] or "") >= "2017-01-01"),
    ({"until": "2016-08"}, lambda i: i["date_start"] is not None and i["date_start"] <= "2016-08-31"),
    ({"since": "2016-08-08", "until": "2016-08-08"}, lambda i: i["date_start"] == "2016-08-08"),
    ({"conflicts": "true"}, lambda i: i["conflict"]),
    ({"country": "PK", "actor": "Jamaat-ul-Ahrar", "since": "2016"},
     lambda i: i["country"] == "PK" and "Jamaat-ul-Ahrar (claimed)" in i["actors"] and i["date_end"] >= "2016"),
])
def test_api_incident_filters_keep_exactly_the_matching_incidents(library, filters, wanted):
    everything = all_incidents(library)
    expected = [i["id"] for i in everything if wanted(i)]
    assert expected, "the sample must hold matches, or the test proves nothing"
    assert [i["id"] for i in all_incidents(library, **filters)] == expected


@pytest.mark.parametrize("filters", [{}, {"country": "PK"}, {"actor": "Islamic State"}])
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_api_incident_pages_walk_every_incident_once(library, filters, limit):
    everything = [i["id"] for i in all_incidents(library, **filters)]
    walked, cursor, pages = [], None, 0
    while True:
        page = library.ok("/incidents", limit=limit, **filters, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= limit
        walked += [i["id"] for i in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert pages <= len(everything) + 1, "the cursor never ends"
    assert walked == everything  # the same order, nothing twice, nothing left out (ties and undated included)


def test_api_incident_detail_has_claims_with_their_words_verification_and_history(library):
    academy = incident_by(all_incidents(library), "2016-10-24", "Suicide bombing in Quetta")
    detail = library.ok(f"/incidents/{academy['id']}")
    assert {key: detail[key] for key in academy} == academy  # the row, and more
    assert detail["assessments"] == []
    responsibility = {c["value"]["actor_id"] for c in detail["claims"] if c["field"] == "responsibility"}
    assert responsibility == {"islamic-state", "lej-alami"}
    report = library.ok(f"/reports/{detail['claims'][0]['report']['id']}")
    for claim in detail["claims"]:
        assert claim["incident_id"] == academy["id"] and claim["report"]["source"] == "Sample wire"
        if claim["span"]:  # the words it was coded from, where the report has them
            assert report["text"][claim["span"][0]:claim["span"][1]] == claim["text"]
            assert " ".join(claim["text"].split()) in claim["sentence"]
    checked = detail["verification"]
    assert set(checked["claimed_by"]) == {"islamic-state", "lej-alami"}
    assert any("responsibility" in conflict for conflict in checked["conflicts"])
    assert checked["killed"]["best"] == 61 and "killed" in checked["credibility"]
    history = library.ok(f"/incidents/{academy['id']}/history")
    assert history[0]["action"] == "created" and history[0]["created_by"] is None  # made by the machine
    hospital = incident_by(all_incidents(library), "2016-08-08", "Suicide bombing in Quetta")
    actions = [entry["action"] for entry in library.ok(f"/incidents/{hospital['id']}/history")]
    assert actions[0] == "created" and actions.count("joined") == hospital["reports"] - 1


# Reports, search, reference data


def test_api_reports_are_listed_newest_first_in_pages_and_by_source(library):
    everything = library.ok("/reports", limit=500)
    ids = [r["id"] for r in everything["items"]]
    assert len(ids) == len(SAMPLE) + 3 and ids == sorted(ids, reverse=True)
    assert library.ids["red_report"] not in ids and everything["next_cursor"] is None
    walked, cursor = [], None
    while True:
        page = library.ok("/reports", limit=3, **({"cursor": cursor} if cursor else {}))
        walked += [r["id"] for r in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert walked == ids
    dawn = library.ok("/reports", source="Dawn")["items"]
    assert [(r["source"], r["published"], r["tlp"], r["current"]) for r in dawn] == [
        ("Dawn", "2016-08-09", "amber", True)]


def test_api_report_detail_has_its_text_and_every_claim_coded_from_it(library):
    (academy,) = [r for r in library.ok("/reports", limit=500)["items"] if r["title"].startswith("Militants storm")]
    detail = library.ok(f"/reports/{academy['id']}")
    assert detail["text"] == (REPORTS / "107_quetta_police_college_wire.txt").read_text()
    assert (detail["source"], detail["reliability"], detail["published"]) == ("Sample wire", "B", "2016-10-25")
    fields = {c["field"] for c in detail["claims"]}
    assert {"killed", "place", "date", "responsibility"} <= fields
    for claim in detail["claims"]:
        assert claim["report"]["id"] == academy["id"]
        if claim["span"]:
            assert detail["text"][claim["span"][0]:claim["span"][1]] == claim["text"]


def test_api_search_finds_the_words_in_reports_the_user_may_see(library):
    hits = library.ok("/search", q="police academy Quetta")
    assert hits and hits[0]["title"].startswith("Militants storm Quetta police academy")
    assert all("«" in hit["snippet"] for hit in hits)  # the words found, marked
    assert library.ok("/search", q="Mines Petroleum") == []  # in the partner's RED report only
    (red,) = library.ok("/search", who="pavel", q="Mines Petroleum")
    assert red["report"] == library.ids["red_report"]
    assert len(library.ok("/search", q="Quetta", limit=2)) == 2


def test_api_actors_places_sources_and_me(library):
    actors = library.ok("/actors")
    assert len(actors) == len(catalog.load_actors())
    assert [a["id"] for a in library.ok("/actors", q="daesh")] == ["islamic-state", "iskp"]  # by alias: Daesh Khorasan
    state = library.ok("/actors/islamic-state")
    assert set(state["parts"]) == {"iskp", "is-pakistan", "is-hind"} and state["splinters"] == []
    # Incidents by year: those involving it or its provinces, as the actor filter finds them.
    years: dict[str, int] = {}
    for incident in all_incidents(library, actor="Islamic State"):
        if incident["date_start"]:
            years[incident["date_start"][:4]] = years.get(incident["date_start"][:4], 0) + 1
    assert state["incidents_by_year"] == years
    ttp = library.ok("/actors/ttp")
    assert ttp["relations"] == [{"subject": "jamaat-ul-ahrar", "relation": "part_of", "object": "ttp", "reports": 2}]
    assert library.ok("/actors/ttp", who="pavel")["relations"] == []  # said in our TLP:AMBER reports only

    places = library.ok("/places", q="Quet")
    assert places and all(p["name"].lower().startswith("quet") for p in places)
    assert any(p["name"] == "Quetta" and p["province_code"] == "PK-BA" for p in places)
    assert all(p["country"] == "AF" for p in library.ok("/places", q="K", country="AF", limit=5))
    assert len(library.ok("/places", q="K", limit=3)) == 3

    sources = {s["name"]: s for s in library.ok("/sources")}
    assert {name: s["reports"] for name, s in sources.items()} == {
        "Sample wire": len(SAMPLE), "Dawn": 1, "Reuters": 1, "Geo": 1}  # not the partner's: only its RED reports
    assert sources["Sample wire"]["reliability"] == "B"
    assert {s["name"]: s["reports"] for s in library.ok("/sources", who="pavel")}["Partner field office"] == 1

    with library.store.session() as session:
        local = session.scalar(select(Organisation.name).where(Organisation.is_local))
    assert library.ok("/me", who="vera") == {"username": "vera", "role": "viewer", "organisation": local,
                                             "org_id": library.people["vera"].viewer.org_id}
    assert library.ok("/me", who="pavel")["organisation"] == "Partner"


# Who may ask


def test_api_without_credentials_is_401_once_the_store_has_users(library):
    for method, path in (("GET", "/incidents"), ("GET", "/me"), ("POST", "/reports")):
        response = library.call(method, path, who=None, json={"text": "x", "source": "y"})
        assert response.status_code == 401, path
        assert response.json() == {"error": "sign in, or send an API token as 'Authorization: Bearer <token>'",
                                   "status": 401}
        assert response.headers["www-authenticate"] == "Bearer"
    basic = library.client.get(f"{API}/incidents", headers={"Authorization": "Basic YW1pbmE6cGFzcw=="})
    assert basic.status_code == 401 and "must be 'Bearer <token>'" in basic.json()["error"]


def test_api_a_bad_or_revoked_token_is_401_and_audited(library):
    before = last_audit_id(library.store)
    bogus = library.client.get(f"{API}/incidents", headers={"Authorization": "Bearer jirga_not-a-real-token"})
    assert (bogus.status_code, bogus.json()) == (401, {"error": "sign-in refused: unknown token", "status": 401})
    vera = library.people["vera"].viewer
    token_id, token = admin.create_token(library.store, vera, name="to be revoked")
    headers = {"Authorization": f"Bearer {token}"}
    assert library.client.get(f"{API}/me", headers=headers).status_code == 200
    admin.revoke_token(library.store, vera, token_id)
    revoked = library.client.get(f"{API}/me", headers=headers)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]
    refusals = [entry for entry in audit_since(library.store, before) if entry[1] == "login"]
    assert refusals == [("(unknown token)", "login", "user", "(unknown token)", "denied"),
                        ("vera", "login", "user", "vera", "denied")]


def test_api_a_viewer_may_read_but_not_write_and_each_refusal_is_audited(library):
    hospital = incident_by(all_incidents(library, "vera"), "2016-08-08", "Suicide bombing in Quetta")
    claim = library.ok(f"/incidents/{hospital['id']}", who="vera")["claims"][0]
    market = incident_by(all_incidents(library, "vera"), "2016-08-08", "Bombing in Quetta")
    shown, reports = library.ok(f"/incidents/{hospital['id']}"), library.ok("/reports", limit=500)
    before = last_audit_id(library.store)
    writes = [
        ("/reports", {"text": PATROL, "source": "Dawn"}, "may not add reports"),
        (f"/claims/{claim['id']}/assessments", {"verdict": "dispute", "reason": "no"}, "may not assess a claim"),
        (f"/incidents/{hospital['id']}/merge", {"other": market["id"], "reason": "same"}, "may not merge incidents"),
        (f"/incidents/{hospital['id']}/split", {"reports": [claim["report"]["id"]], "reason": "apart"},
         "may not split an incident"),
    ]
    for path, body, message in writes:
        response = library.post(path, body, who="vera")
        assert response.status_code == 403, (path, response.text)
        assert message in response.json()["error"] and "needs the role analyst" in response.json()["error"]
    entries = audit_since(library.store, before)
    assert [(actor, action, result) for actor, action, _, _, result in entries] == [("vera", "write", "denied")] * 4
    # Nothing changed: no assessment, merge or split, no report stored.
    assert library.ok(f"/incidents/{hospital['id']}") == shown and library.ok("/reports", limit=500) == reports
    assert library.ok(f"/incidents/{market['id']}")["status"] == "active"


@pytest.mark.parametrize(("path", "what"), [
    ("/incidents/{incident}", "no incident {incident}"),
    ("/incidents/{incident}/history", "no incident {incident}"),
    ("/reports/{report}", "no report {report}"),
])
def test_api_another_organisations_red_record_is_404_as_if_it_did_not_exist(library, path, what):
    hidden = {"incident": library.ids["red_incident"], "report": library.ids["red_report"]}
    missing = dict.fromkeys(hidden, UNKNOWN)
    before = last_audit_id(library.store)
    refused = library.get(path.format(**hidden))
    absent = library.get(path.format(**missing))
    assert refused.status_code == absent.status_code == 404
    assert refused.json() == {"error": what.format(**hidden), "status": 404}
    assert absent.json() == {"error": what.format(**missing), "status": 404}
    # The audit log tells the admins what the answer does not tell the user.
    target = "incident" if "incident" in path else "report"
    assert audit_since(library.store, before) == [
        ("amina", "read", target, str(hidden[target]), "not_found"),
        ("amina", "read", target, str(UNKNOWN), "not_found")]
    assert library.get(path.format(**hidden), who="pavel").status_code == 200  # the owner reads it


def test_api_assessing_a_claim_one_may_not_see_is_404_and_audited(library):
    before = last_audit_id(library.store)
    for claim in (library.ids["red_claim"], UNKNOWN):
        response = library.post(f"/claims/{claim}/assessments", {"verdict": "dispute", "reason": "wrong"})
        assert (response.status_code, response.json()) == (404, {"error": f"no claim {claim}", "status": 404})
    assert [(e[0], e[1], e[4]) for e in audit_since(library.store, before)] == [("amina", "write", "not_found")] * 2


@pytest.mark.parametrize(("path", "message"), [
    (f"/incidents/{UNKNOWN}", f"no incident {UNKNOWN}"),
    (f"/incidents/{UNKNOWN}/history", f"no incident {UNKNOWN}"),
    (f"/reports/{UNKNOWN}", f"no report {UNKNOWN}"),
    ("/actors/no-such-group", "no actor 'no-such-group' in the catalog"),
    (f"/watchlists/{UNKNOWN}/new", f"no watchlist {UNKNOWN}"),
    ("/incidents/2147483647", "no incident 2147483647"),  # the largest id there can be
])
def test_api_unknown_ids_are_404(library, path, message):
    response = library.get(path)
    assert (response.status_code, response.json()) == (404, {"error": message, "status": 404})


# Malformed requests: 400 for a value that cannot be understood, 422 for one the schema refuses; each says why.


@pytest.mark.parametrize(("path", "params", "status", "message"), [
    ("/incidents", {"country": "Narnia"}, 400, "unknown country 'Narnia' (use an ISO code such as PK or a name)"),
    ("/incidents", {"province": "Atlantis"}, 400, "unknown province 'Atlantis'"),
    ("/incidents", {"actor": "Islamc State"}, 400, "unknown actor 'Islamc State' (did you mean 'Islamic State'?)"),
    ("/incidents", {"since": "2016-13"}, 400, "not a date: '2016-13' (use YYYY, YYYY-MM or YYYY-MM-DD)"),
    ("/incidents", {"until": "yesterday"}, 400, "not a date: 'yesterday'"),
    ("/incidents", {"cursor": "not-a-cursor"}, 400, "not a cursor from this API: 'not-a-cursor'"),
    ("/incidents", {"limit": "0"}, 422, "query limit: Input should be greater than or equal to 1"),
    ("/incidents", {"limit": "501"}, 422, "query limit: Input should be less than or equal to 500"),
    ("/incidents", {"limit": "many"}, 422, "query limit: Input should be a valid integer"),
    ("/incidents", {"conflicts": "perhaps"}, 422, "query conflicts: Input should be a valid boolean"),
    ("/reports", {"cursor": "abc"}, 422, "query cursor: String should match pattern"),
    ("/reports", {"limit": "0"}, 422, "query limit"),
    ("/search", {}, 422, "query q: Field required"),
    ("/search", {"q": "!!!"}, 400, "nothing to search for in '!!!'"),
    ("/places", {"q": "Quetta", "country": "Pakistan"}, 422, "query country: String should have at most 2"),
    ("/incidents/abc", {}, 422, "path incident_id: Input should be a valid integer"),
])
def test_api_a_malformed_request_says_what_is_wrong(library, path, params, status, message):
    response = library.get(path, **params)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status and message in body["error"], body


def test_api_a_malformed_filter_is_not_audited(library):
    # docs/access-control.md: a request refused as malformed rolls back and is not logged.
    before = last_audit_id(library.store)
    assert library.get("/incidents", country="Narnia").status_code == 400
    assert audit_since(library.store, before) == []


# Analysts' decisions and new reports, each on a store of its own


def hospital_and_market(site: Site) -> tuple[dict, dict]:
    items = all_incidents(site)
    return (incident_by(items, "2016-08-08", "Suicide bombing in Quetta"),
            incident_by(items, "2016-08-08", "Bombing in Quetta"))


def test_api_a_dispute_changes_the_consensus_and_is_recorded(site):
    hospital, _ = hospital_and_market(site)
    assert (hospital["killed_low"], hospital["killed_best"], hospital["killed_high"]) == (70, 70, 74)
    detail = site.ok(f"/incidents/{hospital['id']}")
    (figure,) = [c for c in detail["claims"] if c["field"] == "killed" and c["value"]["best"] == 74]
    made = site.post(f"/claims/{figure['id']}/assessments", {"verdict": "dispute", "reason": "counted the bomber",
                                                            "confidence": "high"}, who="bilal")
    assert made.status_code == 201, made.text
    assessment = made.json()
    assert {k: assessment[k] for k in ("claim_id", "incident_id", "verdict", "confidence", "reason", "created_by",
                                       "tlp")} == {"claim_id": figure["id"], "incident_id": hospital["id"],
                                                   "verdict": "dispute", "confidence": "high",
                                                   "reason": "counted the bomber", "created_by": "bilal",
                                                   "tlp": "amber"}
    after = site.ok(f"/incidents/{hospital['id']}")
    assert after["killed_high"] == 70 and after["verification"]["killed"]["high"] == 70  # 74 no longer counts
    assert after["assessments"] == [assessment]
    last = site.ok(f"/incidents/{hospital['id']}/history")[-1]
    assert (last["action"], last["created_by"], last["reason"]) == ("assessed", "bilal", "counted the bomber")
    assert last["detail"] == {"claim": figure["id"], "field": "killed", "verdict": "dispute"}
    blank = site.post(f"/claims/{figure['id']}/assessments", {"verdict": "agree", "reason": "   "})
    assert (blank.status_code, blank.json()) == (409, {"error": "a reason is required", "status": 409})
    odd = site.post(f"/claims/{figure['id']}/assessments", {"verdict": "maybe", "reason": "hm"})
    assert odd.status_code == 422 and "body verdict" in odd.json()["error"]


def test_api_merge_and_split_move_claims_between_incidents(site):
    hospital, market = hospital_and_market(site)
    itself = site.post(f"/incidents/{hospital['id']}/merge", {"other": hospital["id"], "reason": "same"})
    assert (itself.status_code, itself.json()["error"]) == (409, "an incident cannot be merged with itself")
    merged = site.post(f"/incidents/{hospital['id']}/merge", {"other": market["id"], "reason": "one attack"})
    assert merged.status_code == 200, merged.text
    assert merged.json()["incident_id"] == hospital["id"]
    assert merged.json()["message"] == f"incident {market['id']} merged into {hospital['id']}"
    kept = site.ok(f"/incidents/{hospital['id']}")
    assert kept["reports"] == 3 and site.ok(f"/incidents/{market['id']}")["status"] == "merged"
    assert market["id"] not in {i["id"] for i in all_incidents(site)}
    again = site.post(f"/incidents/{hospital['id']}/merge", {"other": market["id"], "reason": "twice"})
    assert again.status_code == 409 and "was merged into another" in again.json()["error"]

    geo = next(c["report"]["id"] for c in kept["claims"] if c["report"]["source"] == "Geo")
    split = site.post(f"/incidents/{hospital['id']}/split", {"reports": [geo], "reason": "a different bomb"})
    assert split.status_code == 200, split.text
    new = split.json()["incident_id"]
    assert split.json()["message"] == f"reports {geo} split off into incident {new}"
    apart = site.ok(f"/incidents/{new}")
    assert {c["report"]["id"] for c in apart["claims"]} == {geo} and apart["killed_best"] == 3
    assert {c["report"]["source"] for c in site.ok(f"/incidents/{hospital['id']}")["claims"]} == {"Dawn", "Reuters"}
    assert [e["action"] for e in site.ok(f"/incidents/{hospital['id']}/history")][-2:] == ["merged", "split"]
    assert site.ok(f"/incidents/{new}/history")[0]["detail"]["split_from"] == hospital["id"]
    nothing = site.post(f"/incidents/{hospital['id']}/split", {"reports": [UNKNOWN], "reason": "x"})
    assert nothing.status_code == 409 and f"no claims from report(s) {UNKNOWN}" in nothing.json()["error"]
    # The partner may not see our incidents, so for it they do not exist.
    hidden = site.post(f"/incidents/{hospital['id']}/merge", {"other": new, "reason": "x"}, who="pavel")
    assert (hidden.status_code, hidden.json()["error"]) == (404, f"no incident {hospital['id']}")


def test_api_a_posted_report_is_stored_extracted_and_joins_an_incident(site):
    before = {i["id"] for i in all_incidents(site)}
    body = {"text": RALLY, "title": "Mastung rally", "source": "AFP", "url": "https://example.org/mastung",
            "published": "2018-07-14", "tlp": "green", "reliability": "B"}
    stored = site.post("/reports", body, who="bilal")
    assert stored.status_code == 201, stored.text
    answer = stored.json()
    assert answer["errors"] == [] and answer["summary"].startswith("1 new, 0 unchanged")
    (incident,) = answer["incidents"]
    assert incident not in before
    report = site.ok(f"/reports/{answer['report_id']}")
    assert {k: report[k] for k in ("title", "source", "reliability", "url", "published", "tlp", "text")} == {
        "title": "Mastung rally", "source": "AFP", "reliability": "B", "url": "https://example.org/mastung",
        "published": "2018-07-14", "tlp": "green", "text": RALLY}
    assert {c["incident_id"] for c in report["claims"]} == {incident}
    shown = site.ok(f"/incidents/{incident}")
    assert (shown["date_start"], shown["killed_best"], shown["tlp"]) == ("2018-07-13", 25, "green")
    assert "Islamic State (claimed)" in shown["actors"]
    assert incident in {i["id"] for i in all_incidents(site, "pavel")}  # TLP:GREEN: every organisation reads it
    with site.store.session() as session:
        assert session.get(Report, answer["report_id"]).owner_org_id == site.people["bilal"].viewer.org_id
    # The same text from the same source again: nothing new, the same report.
    again = site.post("/reports", body, who="bilal").json()
    assert again["report_id"] == answer["report_id"] and again["summary"].startswith("0 new, 1 unchanged")
    empty = site.post("/reports", {"text": "   ", "source": "AFP"})
    assert empty.status_code == 400 and "no text" in empty.json()["error"]


def test_api_watchlists_count_new_matches_and_mark_them_seen(site):
    made = site.post("/watchlists", {"name": "IS in Pakistan", "actor": "Islamic State", "country": "PK"})
    assert made.status_code == 201, made.text
    watchlist = made.json()
    assert (watchlist["name"], watchlist["filter"], watchlist["new"]) == (
        "IS in Pakistan", {"actor": "Islamic State", "country": "PK"}, 0)  # what was stored before is not new
    assert site.ok("/watchlists") == [watchlist]
    for text, source in ((RALLY, "AFP"), (PATROL, "AP")):  # one matches, one does not
        assert site.post("/reports", {"text": text, "source": source, "published": "2018-07-14"}).status_code == 201
    (listed,) = site.ok("/watchlists")
    assert listed["new"] == 1
    (news,) = site.ok(f"/watchlists/{watchlist['id']}/new")
    assert news["date_start"] == "2018-07-13" and "Islamic State (claimed)" in news["actors"]
    assert site.ok(f"/watchlists/{watchlist['id']}/new") == []  # seen now
    assert site.ok("/watchlists")[0]["new"] == 0
    # A watchlist belongs to its user: for anyone else it does not exist.
    assert site.ok("/watchlists", who="bilal") == []
    for method, path in (("GET", f"/watchlists/{watchlist['id']}/new"), ("DELETE", f"/watchlists/{watchlist['id']}")):
        response = site.call(method, path, who="bilal")
        assert (response.status_code, response.json()["error"]) == (404, f"no watchlist {watchlist['id']}")
    deleted = site.call("DELETE", f"/watchlists/{watchlist['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert site.ok("/watchlists") == []
    unfiltered = site.post("/watchlists", {"name": "everything"})
    assert unfiltered.status_code == 400 and "needs at least one filter" in unfiltered.json()["error"]
    unknown = site.post("/watchlists", {"name": "typo", "actor": "Islamc State"})
    assert unknown.status_code == 400 and "did you mean 'Islamic State'" in unknown.json()["error"]


# Regressions: requests that once failed with a server error


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/incidents/2147483648", None),
    ("GET", "/incidents/2147483648/history", None),
    ("GET", "/reports/2147483648", None),
    ("GET", "/watchlists/2147483648/new", None),
    ("DELETE", "/watchlists/2147483648", None),
    ("POST", "/claims/2147483648/assessments", {"verdict": "agree", "reason": "x"}),
    ("POST", "/incidents/1/merge", {"other": 2147483648, "reason": "x"}),
    ("POST", "/incidents/1/split", {"reports": [2147483648], "reason": "x"}),
])
def test_api_an_id_beyond_the_id_columns_is_422_not_a_server_error(library, method, path, body):
    # The database refused such a number as a parameter (PostgreSQL: integer out of range; SQLite, past 2**63:
    # OverflowError): a 500.
    response = library.call(method, path, json=body)
    assert response.status_code == 422, response.text
    assert "less than or equal to 2147483647" in response.json()["error"]


def test_api_a_cursor_with_an_id_beyond_the_id_columns_is_400_not_a_server_error(library):
    for inside in ("2016-01-01~99999999999999999999", "~2147483648", "~0"):
        cursor = base64.urlsafe_b64encode(inside.encode()).decode()
        response = library.get("/incidents", cursor=cursor)
        assert response.status_code == 400 and "not a cursor from this API" in response.json()["error"]
    for cursor in ("2147483648", "999999999999999999"):
        response = library.get("/reports", cursor=cursor)
        assert response.json() == {"error": f"not a cursor from this API: '{cursor}'", "status": 400}
    assert library.ok("/reports", cursor="2147483647")["items"]  # the largest id there can be: all reports before it


@pytest.mark.parametrize(("method", "path", "params", "body", "where"), [
    ("GET", "/reports", {"source": "Da\x00wn"}, None, "query source"),
    ("GET", "/actors/ttp%00", None, None, "path actor_id"),
    ("POST", "/reports", None, {"text": PATROL, "source": "A\x00P"}, "body source"),
    ("POST", "/watchlists", None, {"name": "no\x00name", "kind": "attack"}, "body name"),
])
def test_api_a_nul_in_a_name_is_422_not_a_server_error(library, method, path, params, body, where):
    # PostgreSQL cannot hold NUL in text: these reached the database and failed there (a 500).
    response = library.call(method, path, params=params, json=body)
    assert (response.status_code, response.json()) == (422, {
        "error": f"{where}: Value error, a name holds no control characters (such as NUL)", "status": 422})


def test_api_times_carry_their_time_zone(site):
    # SQLite gives stored times back naive: they went out without a zone, not RFC 3339 date-times as the schema says.
    hospital, _ = hospital_and_market(site)
    claim = site.ok(f"/incidents/{hospital['id']}")["claims"][0]
    assessment = site.post(f"/claims/{claim['id']}/assessments", {"verdict": "agree", "reason": "seen"}).json()
    times = [r["ingested_at"] for r in site.ok("/reports")["items"]] + [assessment["created_at"]] + [
        e["created_at"] for e in site.ok(f"/incidents/{hospital['id']}/history")]
    for value in times:
        assert dt.datetime.fromisoformat(value).utcoffset() == dt.timedelta(0), value
    assert site.ok(f"/incidents/{hospital['id']}")["assessments"][0]["created_at"] == assessment["created_at"]


@pytest.mark.parametrize("path", ["/incidents/2147483648", "/reports/2147483648", "/watchlists/2147483648",
                                  "/claims/2147483648/panel", "/actors/a%00b", "/reports/1?incident=2147483648"])
def test_pages_refuse_ids_the_database_cannot_hold_with_a_page_not_a_server_error(library, path):
    # The pages read the same tables: such ids reached PostgreSQL and failed there (a 500).
    headers = {"Authorization": f"Bearer {library.people['amina'].token}"}
    response = library.client.get(path, headers=headers)
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"] and "Please check the form" in response.text


def test_pages_refuse_a_nul_in_a_form_field(library):
    headers = {"Authorization": f"Bearer {library.people['amina'].token}"}
    response = library.client.post("/code", data={"source": "Field\x00office", "kind": "attack"}, headers=headers)
    assert response.status_code == 400
    assert "NUL character" in response.text


def test_pages_refuse_a_reliability_that_is_no_admiralty_grade(site):
    headers = {"Authorization": f"Bearer {site.people['amina'].token}"}
    before = site.ok("/sources"), site.ok("/reports")
    response = site.client.post("/reports/new", data={"source": "Dawn", "text": PATROL, "reliability": "Z"},
                                headers=headers)
    assert response.status_code == 400
    assert "reliability must be one letter A-F" in response.text
    assert (site.ok("/sources"), site.ok("/reports")) == before  # nothing stored, no grade changed
