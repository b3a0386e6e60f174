"""Access control on SQLite and PostgreSQL: each user sees exactly what docs/access-control.md allows, through every
read path (the query layer, the `jirga incidents/show/search` commands, the REST API and the TAXII server); sign-in,
tokens, administration across organisations, SQL injection in filters, and the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text, update

from jirga.access import AuthenticationError, NotFound, PermissionDenied, Viewer, admin, audit, auth
from jirga.access.auth import hash_password, implicit_admin, sign_in, sign_in_with_password, sign_in_with_token
from jirga.assess.aggregate import Totals
from jirga.assess.sitrep import Notes
from jirga.assess.stats import compute
from jirga.db import open_store
from jirga.db.access_schema import ROLES, ApiToken, AuditEntry, User
from jirga.db.schema import (
    Actor,
    Claim,
    Incident,
    IncidentActor,
    MonthSum,
    MonthSumPart,
    Organisation,
    Relation,
    Report,
    SharingGroup,
    SharingGroupMember,
    Source,
    Watchlist,
)
from jirga.db.share_schema import Peer, StixObject, TaxiiStatus
from jirga.model.tlp import LEVELS
from jirga.store import stats as stats_store
from jirga.store.decisions import history
from jirga.store.queries import (
    IncidentFilter,
    QueryError,
    get_incident,
    incident_actors,
    list_incidents,
    search_reports,
)
from jirga.store.summary import summarize
from jirga.store.verification import verification
from jirga.web.app import create_app
from tests.conftest import ingest_reports, run_jirga

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once, reuse for every made-up user
WORD = "zebrafinch"  # in every made-up report, so a search for it finds every report the viewer may see


# The rules of docs/access-control.md, written again in plain Python, independent of the SQL.


def may_see(org: int, owner: int, tlp: str, group: int | None, members: dict[int, set[int]]) -> bool:
    if org == owner:
        return True
    if tlp in ("clear", "green"):
        return True
    return tlp == "amber" and group is not None and org in members.get(group, set())


# A made-up world: organisations, sharing groups, users, reports, incidents with claims.

Marking = tuple[int, str, int | None]  # owner (index), tlp, sharing group (index)


@dataclass
class World:
    orgs: int
    groups: list[frozenset[int]]  # members of each group, as organisation indexes
    users: list[tuple[int, str]]  # (organisation index, role)
    reports: list[Marking]
    incidents: list[tuple[Marking, list[tuple[Marking, int, bool]]]]  # own marking; claims (marking, report, retired)
    relations: list[Marking] = field(default_factory=list)  # each: Jamaat-ul-Ahrar is part of the TTP


@dataclass
class Built:
    """The ids the database gave to the world's parts, and the world in those ids."""

    org_ids: list[int] = field(default_factory=list)
    members: dict[int, set[int]] = field(default_factory=dict)
    viewers: list[Viewer] = field(default_factory=list)
    reports: dict[int, tuple[int, str, int | None]] = field(default_factory=dict)
    incidents: dict[int, tuple[int, str, int | None]] = field(default_factory=dict)
    claims: dict[int, tuple[int, str, int | None, int, int, bool, int]] = field(default_factory=dict)
    # claim id -> (owner, tlp, group, incident id, report id, retired, killed)
    relations: dict[int, tuple[int, str, int | None]] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)  # report id -> its source's name


@st.composite
def worlds(draw) -> World:
    orgs = draw(st.integers(1, 4))
    org = st.integers(0, orgs - 1)
    groups = draw(st.lists(st.frozensets(org, max_size=orgs), max_size=3))
    group = st.none() | st.integers(0, len(groups) - 1) if groups else st.none()
    marking = st.tuples(org, st.sampled_from(LEVELS), group)
    users = draw(st.lists(st.tuples(org, st.sampled_from(ROLES)), min_size=1, max_size=5))
    reports = draw(st.lists(marking, min_size=1, max_size=4))
    retired = st.sampled_from([False, False, False, True])  # now and then a claim kept only for an assessment
    claim = st.tuples(marking, st.integers(0, len(reports) - 1), retired)
    incidents = draw(st.lists(st.tuples(marking, st.lists(claim, max_size=4)), max_size=5))
    relations = draw(st.lists(marking, max_size=3))
    return World(orgs, groups, users, reports, incidents, relations)


def clear(store) -> None:
    with store.session() as session:
        for model in (MonthSumPart, MonthSum, StixObject, TaxiiStatus, Peer, Watchlist, Relation, IncidentActor,
                      Claim, Incident, Report, Source, SharingGroupMember, SharingGroup, ApiToken, User, Organisation):
            session.execute(delete(model))


def build(store, world: World, prefix: str = "") -> Built:
    built = Built()
    with store.session() as session:
        orgs = [Organisation(name=f"{prefix}org{i}") for i in range(world.orgs)]
        session.add_all(orgs)
        session.flush()
        built.org_ids = [o.id for o in orgs]
        groups = []
        for number, members in enumerate(world.groups):
            group = SharingGroup(name=f"{prefix}group{number}", owner_org_id=orgs[0].id)
            session.add(group)
            session.flush()
            session.add_all(SharingGroupMember(group_id=group.id, org_id=orgs[m].id) for m in members)
            groups.append(group.id)
            built.members[group.id] = {orgs[m].id for m in members}

        def marks(marking: Marking) -> dict:
            owner, tlp, group = marking
            return {"owner_org_id": orgs[owner].id, "tlp": tlp,
                    "sharing_group_id": groups[group] if group is not None else None}

        for number, (org, role) in enumerate(world.users):
            user = User(username=f"{prefix}user{number}", org_id=orgs[org].id, role=role,
                        password_hash=PASSWORD_HASH)
            session.add(user)
            session.flush()
            built.viewers.append(Viewer(user.id, user.org_id, role, user.username))
        reports = []
        for number, marking in enumerate(world.reports):
            # A source of its own per report: the consensus counts each source once (its latest figure), and the
            # rules' expected toll below is the highest of the figures the viewer sees.
            source = Source(name=f"{prefix}wire{number}", owner_org_id=orgs[0].id, tlp="clear")
            session.add(source)
            session.flush()
            report = Report(source_id=source.id, origin=f"r{number}", content_hash=f"{prefix}{number}",
                            title=f"report {number}", text=f"Report {number} tells of a {WORD} in Quetta.",
                            **marks(marking))
            session.add(report)
            session.flush()
            reports.append(report)
            built.reports[report.id] = tuple(marks(marking).values())
            built.sources[report.id] = source.name
        killed = 0
        for marking, claims in world.incidents:
            incident = Incident(kind="attack", **marks(marking))
            session.add(incident)
            session.flush()
            built.incidents[incident.id] = tuple(marks(marking).values())
            rows = []
            for claim_marking, report, retired in claims:
                killed += 1
                figure = {"low": killed, "best": killed, "high": killed}
                # Each toll is told of civilians too ("killed N civilians"), under the same marking: the victims by
                # category the viewer sees are those of the claims it sees.
                rows += [Claim(incident_id=incident.id, report_id=reports[report].id, event="incident-1",
                               field="killed", value=value, text=str(killed), retired=retired, **marks(claim_marking))
                         for value in (figure, {**figure, "subset": "civilians"})]
            session.add_all(rows)
            session.flush()
            summarize(session, incident, rows)
            for row in rows:
                built.claims[row.id] = (row.owner_org_id, row.tlp, row.sharing_group_id, incident.id, row.report_id,
                                        row.retired, row.value["best"])
        if world.relations:
            for actor, name in RELATED:
                session.merge(Actor(id=actor, name=name, kind="armed_group"))
        for marking in world.relations:
            relation = Relation(subject_id=RELATED[0][0], relation="part_of", object_id=RELATED[1][0],
                                **marks(marking))
            session.add(relation)
            session.flush()
            built.relations[relation.id] = tuple(marks(marking).values())
    return built


RELATED = (("jamaat-ul-ahrar", "Jamaat-ul-Ahrar"), ("ttp", "Tehrik-i-Taliban Pakistan"))  # catalog actors


@dataclass
class Expected:
    incidents: set[int]
    claims: dict[int, set[int]]  # by incident
    reports: set[int]
    killed_high: dict[int, int | None]  # by incident: the highest figure among the claims the viewer sees


def expected_for(built: Built, viewer: Viewer) -> Expected:
    def sees(marking) -> bool:
        return may_see(viewer.org_id, *marking, built.members)

    claims: dict[int, set[int]] = {incident: set() for incident in built.incidents}
    for claim, (owner, tlp, group, incident, _, _, _) in built.claims.items():
        if sees((owner, tlp, group)):
            claims[incident].add(claim)
    live = {incident: [c for c in claims[incident] if not built.claims[c][5]] for incident in built.incidents}
    return Expected(
        incidents={incident for incident, marking in built.incidents.items() if sees(marking) or live[incident]},
        claims=claims,
        reports={report for report, marking in built.reports.items() if sees(marking)},
        killed_high={incident: max((built.claims[c][6] for c in live[incident]), default=None)
                     for incident in built.incidents})


def check_reads(store, built: Built, viewer: Viewer) -> None:
    """Every read path of the query layer gives `viewer` exactly what the rules allow, and no more."""
    want = expected_for(built, viewer)
    with store.session() as session:
        listed = list_incidents(session, IncidentFilter(include_superseded=True, limit=1000), viewer=viewer)
        assert {i.id for i in listed} == want.incidents, viewer
        assert {i.id: i.killed_high for i in listed} == {i: want.killed_high[i] for i in want.incidents}
        for incident in listed:  # read later, lazily: still only what the viewer may see
            assert {c.id for c in incident.claims} == want.claims[incident.id]
            assert all((c.report is not None) == (c.report_id in want.reports) for c in incident.claims)
        hits = search_reports(session, WORD, limit=1000, viewer=viewer)
        assert {hit.report_id for hit in hits} == want.reports
        # The statistics count what the viewer sees: their incidents, each with the figures of its visible claims.
        total = compute(session, IncidentFilter(include_superseded=True), None, viewer=viewer).total
        assert total.incidents == len(want.incidents)
        assert total.killed.high == sum(want.killed_high[i] or 0 for i in want.incidents)
        by_group = compute(session, IncidentFilter(include_superseded=True), "group", viewer=viewer)
        assert sum(row.totals.incidents for row in by_group.rows) == len(want.incidents)  # no group is named
        # Victims by category: every toll is told of civilians too, so theirs are the tolls the viewer may see.
        told = {row.key: row.totals for row in compute(session, IncidentFilter(include_superseded=True),
                                                       "victim-category", viewer=viewer).rows}
        civilians = told.get("civilians", Totals())
        assert civilians.incidents == sum(1 for i in want.incidents if want.killed_high[i] is not None)
        assert civilians.killed.high == sum(want.killed_high[i] or 0 for i in want.incidents)
        assert set(told) <= {"civilians", None}
        # The situation report's read path: its incidents, and the claims its footnotes cite, are what the viewer
        # may see (retired claims are not counted, so never cited).
        shown = stats_store.matching_incidents(session, IncidentFilter(include_superseded=True), viewer=viewer)
        claims = stats_store.incident_claims(session, [i.id for i in shown], viewer=viewer)
        notes = Notes({i.id: [c for c in claims if c.incident_id == i.id] for i in shown}, {})
        notes.cite([i.id for i in shown], ("killed",), "every incident")
        assert {i.id for i in shown} == want.incidents
        victims = stats_store.victim_figures(session, [i.id for i in shown], viewer=viewer)
        assert {i: found["civilians"]["killed"][2] for i, found in victims.items()} == {
            i: want.killed_high[i] for i in want.incidents if want.killed_high[i] is not None}
        assert notes.claim_ids() == {c for i in want.incidents for c in want.claims[i] if not built.claims[c][5]}
    for incident_id in built.incidents:
        with store.session() as session:
            shown = get_incident(session, incident_id, viewer=viewer)
            told = history(session, incident_id, viewer)  # clue verification's read path
            if incident_id not in want.incidents:
                assert shown is None and told is None
                continue
            assert {c.id for c in shown.claims} == want.claims[incident_id] and told is not None
            assert shown.killed_high == want.killed_high[incident_id]  # the summary of what the viewer sees
            assert verification(session, shown, viewer)["killed"]["high"] == want.killed_high[incident_id]
            for claim in shown.claims:
                assert (claim.report is not None) == (claim.report_id in want.reports)


@pytest.mark.slow  # generated worlds, each built in the store
def test_access_each_user_sees_exactly_what_the_rules_allow(store):
    @settings(max_examples=40 if store.dialect == "sqlite" else 15, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(worlds())
    def check(world: World) -> None:
        clear(store)
        built = build(store, world)
        for viewer in built.viewers:
            check_reads(store, built, viewer)

    check()


def check_api_reads(store, client: TestClient, built: Built, viewer: Viewer) -> None:
    """Every read of the REST API gives `viewer` exactly what the rules allow, and no more."""
    want = expected_for(built, viewer)
    headers = {"Authorization": f"Bearer {admin.create_token(store, viewer)[1]}"}

    def read(path: str, status: int = 200, **params):
        response = client.get(f"/api/v1{path}", headers=headers, params=params)
        assert response.status_code == status, (viewer, path, response.text)
        return response.json()

    def sees(marking) -> bool:
        return may_see(viewer.org_id, *marking, built.members)

    listed = read("/incidents", limit=500)["items"]
    assert {i["id"]: i["killed_high"] for i in listed} == {i: want.killed_high[i] for i in want.incidents}, viewer
    for incident in built.incidents:
        if incident not in want.incidents:  # as if it did not exist
            assert read(f"/incidents/{incident}", 404) == read(f"/incidents/{incident}/history", 404) == {
                "error": f"no incident {incident}", "status": 404}
            continue
        shown = read(f"/incidents/{incident}")
        counted = {c for c in want.claims[incident] if not built.claims[c][5]}  # retired claims are not shown
        assert {c["id"] for c in shown["claims"]} == counted
        assert all((c["report"] is not None) == (built.claims[c["id"]][4] in want.reports) for c in shown["claims"])
        assert shown["killed_high"] == shown["verification"]["killed"]["high"] == want.killed_high[incident]
        read(f"/incidents/{incident}/history")
    assert {r["id"] for r in read("/reports", limit=500)["items"]} == want.reports
    for report in built.reports:
        if report not in want.reports:
            assert read(f"/reports/{report}", 404) == {"error": f"no report {report}", "status": 404}
            continue
        coded = {c for c, (*marking, _, of, retired, _) in built.claims.items()
                 if of == report and not retired and sees(marking)}
        assert {c["id"] for c in read(f"/reports/{report}")["claims"]} == coded
    assert {hit["report"] for hit in read("/search", q=WORD, limit=200)} == want.reports
    # A source is listed only with a report the viewer may see: its name alone may tell what others hold.
    assert sorted((s["name"], s["reports"]) for s in read("/sources")) == sorted(
        (built.sources[report], 1) for report in want.reports)
    said = sum(1 for marking in built.relations.values() if sees(marking))
    for actor, _ in RELATED:
        assert read(f"/actors/{actor}")["relations"] == ([{"subject": RELATED[0][0], "relation": "part_of",
                                                           "object": RELATED[1][0], "reports": said}] if said else [])
    # A watchlist matching every incident, as if saved before any was stored: its news are what the user may see.
    made = client.post("/api/v1/watchlists", headers=headers, json={"name": "attacks", "kind": "attack"})
    assert made.status_code == 201, made.text
    with store.session() as session:
        session.execute(update(Watchlist).where(Watchlist.id == made.json()["id"]).values(seen_up_to=0))
    assert [w["new"] for w in read("/watchlists")] == [len(want.incidents)]
    assert {i["id"] for i in read(f"/watchlists/{made.json()['id']}/new")} == want.incidents


@pytest.mark.slow  # generated worlds, each built in the store
def test_access_the_api_shows_each_user_exactly_what_the_rules_allow(store):
    client = TestClient(create_app(store=store, hosts=["testserver"]), raise_server_exceptions=True)

    @settings(max_examples=20 if store.dialect == "sqlite" else 8, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(worlds())
    def check(world: World) -> None:
        clear(store)
        built = build(store, world)
        for viewer in built.viewers:
            check_api_reads(store, client, built, viewer)

    check()


# TAXII: the collections a user has and every object read through them


StixEntry = tuple[Marking, int, int]  # marking, which object (0-2), which version of it (0-2)


@st.composite
def stix_worlds(draw) -> tuple[World, list[StixEntry]]:
    world = draw(worlds())
    group = st.none() | st.integers(0, len(world.groups) - 1) if world.groups else st.none()
    marking = st.tuples(st.integers(0, world.orgs - 1), st.sampled_from(LEVELS), group)
    return world, draw(st.lists(st.tuples(marking, st.integers(0, 2), st.integers(0, 2)), max_size=12))


def build_stix(store, built: Built, entries: list[StixEntry]) -> dict[str, list[tuple]]:
    """Objects put straight into the store: each into its group's collection, or the open one without a group.
    Returns, per collection id, its rows as (stix id, version, owner, tlp, group id)."""
    from jirga.store.taxii import OPEN_COLLECTION, group_collection_id

    group_ids = sorted(built.members)
    rows: dict[str, list[tuple]] = {}
    with store.session() as session:
        names = dict(session.execute(select(SharingGroup.id, SharingGroup.name)).all())
        seen = set()
        for (owner, tlp, group), number, version in entries:
            group_id = group_ids[group] if group is not None else None
            collection = group_collection_id(names[group_id]) if group_id else OPEN_COLLECTION
            stix_id = f"incident--00000000-0000-4000-8000-00000000000{number}"
            key = f"2026-01-0{version + 1}T00:00:00.000000Z"
            if (collection, stix_id, key) in seen:
                continue
            seen.add((collection, stix_id, key))
            body = json.dumps({"type": "incident", "id": stix_id, "spec_version": "2.1", "name": "x",
                               "created": "2026-01-01T00:00:00.000Z", "modified": key.replace("000000Z", "000Z")})
            session.add(StixObject(collection=collection, stix_id=stix_id, type="incident", spec_version="2.1",
                                   version=key, body=body, owner_org_id=built.org_ids[owner], tlp=tlp,
                                   sharing_group_id=group_id))
            rows.setdefault(collection, []).append((stix_id, key, built.org_ids[owner], tlp, group_id))
    return rows


def check_taxii_reads(store, client: TestClient, built: Built, viewer: Viewer, rows: dict[str, list[tuple]]) -> None:
    """Every TAXII read gives `viewer` the collections of their groups, and in each exactly the objects (and
    versions) the rules let them see; a collection or object they may not see is not found."""
    from jirga.store.taxii import OPEN_COLLECTION, group_collection_id

    headers = {"Authorization": f"Bearer {admin.create_token(store, viewer)[1]}",
               "Accept": "application/taxii+json;version=2.1"}
    root = "/taxii2/jirga/collections/"
    with store.session() as session:
        names = dict(session.execute(select(SharingGroup.id, SharingGroup.name)).all())
    mine = {OPEN_COLLECTION} | {group_collection_id(names[g]) for g, members in built.members.items()
                                if viewer.org_id in members}
    listed = client.get(root, headers=headers).json()["collections"]
    assert {c["id"] for c in listed} == mine, viewer
    every = {OPEN_COLLECTION} | {group_collection_id(name) for name in names.values()}
    for collection in every:
        def get(path: str = "", collection: str = collection, **params):
            return client.get(f"{root}{collection}/{path}", headers=headers, params=params)

        if collection not in mine:
            assert get().status_code == get("objects/").status_code == get("manifest/").status_code == 404
            continue
        seen = [(sid, version) for sid, version, owner, tlp, group in rows.get(collection, [])
                if may_see(viewer.org_id, owner, tlp, group, built.members)]
        latest = {sid: max(v for s, v in seen if s == sid) for sid, _ in seen}

        def paged(path: str, **params) -> list[dict]:
            items, after = [], None
            while True:
                page = get(path, limit=2, **params, **({"next": after} if after else {})).json()
                items += page.get("objects", [])
                if not page["more"]:
                    return items
                after = page["next"]

        def stamp(text: str) -> str:
            return text.replace(".000Z", ".000000Z")

        assert sorted((o["id"], stamp(o["modified"])) for o in paged("objects/")) == sorted(latest.items())
        assert sorted((o["id"], stamp(o["modified"])) for o in paged("objects/", **{"match[version]": "all"})) == \
            sorted(seen)
        assert sorted((r["id"], stamp(r["version"])) for r in paged("manifest/")) == sorted(latest.items())
        for number in range(3):
            sid = f"incident--00000000-0000-4000-8000-00000000000{number}"
            if sid not in latest:
                assert get(f"objects/{sid}/").status_code == get(f"objects/{sid}/versions/").status_code == 404
                continue
            assert [stamp(o["modified"]) for o in get(f"objects/{sid}/").json()["objects"]] == [latest[sid]]
            assert sorted(stamp(v) for v in get(f"objects/{sid}/versions/").json()["versions"]) == \
                sorted(v for s, v in seen if s == sid)


def test_access_taxii_shows_each_user_exactly_what_the_rules_allow(store):
    client = TestClient(create_app(store=store, hosts=["testserver"]), raise_server_exceptions=True)

    @settings(max_examples=20 if store.dialect == "sqlite" else 8, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(stix_worlds())
    def check(drawn) -> None:
        world, entries = drawn
        clear(store)
        built = build(store, world)
        rows = build_stix(store, built, entries)
        for viewer in built.viewers:
            check_taxii_reads(store, client, built, viewer, rows)

    check()


def one_record_world(tlp: str) -> World:
    """Owner org 0, partner org 1 (in the sharing group with org 0), outsider org 2; a user of each; one report and
    one incident (with one claim) marked `tlp` with the group, the same again without it."""
    with_group, without = (0, tlp, 0), (0, tlp, None)
    return World(orgs=3, groups=[frozenset({0, 1})], users=[(0, "viewer"), (1, "viewer"), (2, "viewer")],
                 reports=[with_group, without],
                 incidents=[(with_group, [(with_group, 0, False)]), (without, [(without, 1, False)])])


@pytest.mark.parametrize(("tlp", "partner_sees", "outsider_sees"), [
    ("clear", {"group", "none"}, {"group", "none"}),
    ("green", {"group", "none"}, {"group", "none"}),
    ("amber", {"group"}, set()),
    ("amber+strict", set(), set()),
    ("red", set(), set()),
])
def test_access_each_tlp_level(store, tlp, partner_sees, outsider_sees):
    built = build(store, one_record_world(tlp))
    owner, partner, outsider = built.viewers
    incidents = sorted(built.incidents)  # with the group, without
    for viewer, sees in ((owner, {"group", "none"}), (partner, partner_sees), (outsider, outsider_sees)):
        with store.session() as session:
            listed = {i.id for i in list_incidents(session, IncidentFilter(), viewer=viewer)}
            hits = {hit.report_id for hit in search_reports(session, WORD, viewer=viewer)}
        assert listed == {incident for incident, name in zip(incidents, ("group", "none"), strict=True)
                          if name in sees}, (tlp, viewer.username)
        assert len(hits) == len(sees)
        check_reads(store, built, viewer)


def test_access_every_role_reads_alike_and_an_instance_admin_has_no_god_mode(store):
    roles = [(0, role) for role in ROLES] + [(1, role) for role in ROLES]
    world = World(orgs=2, groups=[], users=roles, reports=[(0, "red", None), (1, "amber", None)],
                  incidents=[((0, "red", None), [((0, "red", None), 0, False)]),
                             ((1, "amber+strict", None), [((1, "amber", None), 1, False)])])
    built = build(store, world)
    seen = {}
    for viewer in built.viewers:
        check_reads(store, built, viewer)
        with store.session() as session:
            seen[viewer.role, viewer.org_id] = {i.id for i in list_incidents(session, IncidentFilter(),
                                                                              viewer=viewer)}
    first, second = sorted(built.incidents)
    for role in ROLES:
        assert seen[role, built.org_ids[0]] == {first}
        assert seen[role, built.org_ids[1]] == {second}  # the other organisation's instance admin included


def test_access_a_partly_visible_incident_names_only_the_actors_its_visible_claims_name(store):
    built = build(store, World(orgs=2, groups=[], users=[(0, "viewer"), (1, "viewer")], reports=[(0, "green", None)],
                               incidents=[]))
    owner, partner = built.viewers
    with store.session() as session:
        session.add_all([Actor(id="shown-group", name="Shown Group", kind="group"),
                         Actor(id="hidden-group", name="Hidden Group", kind="group")])
        incident = Incident(kind="attack", owner_org_id=owner.org_id, tlp="green")
        session.add(incident)
        session.flush()
        claims = [Claim(incident_id=incident.id, event="incident-1", field="responsibility",
                        value={"actor_id": actor, "actor": actor, "mode": "claimed"}, owner_org_id=owner.org_id,
                        tlp=tlp) for actor, tlp in (("shown-group", "green"), ("hidden-group", "red"))]
        session.add_all(claims)
        session.flush()
        summarize(session, incident, claims)
    for viewer, names in ((owner, ["Hidden Group (claimed)", "Shown Group (claimed)"]),
                          (partner, ["Shown Group (claimed)"])):
        with store.session() as session:
            listed = list_incidents(session, IncidentFilter(), viewer=viewer)
            assert incident_actors(session, listed, viewer) == {incident.id: names}


# Signing in


def test_access_wrong_password_unknown_user_and_disabled_user_are_refused_and_audited(store):
    built = build(store, World(orgs=1, groups=[], users=[(0, "analyst"), (0, "org_admin")], reports=[],
                               incidents=[]))
    analyst, org_admin = built.viewers
    assert sign_in_with_password(store, analyst.username, PASSWORD).user_id == analyst.user_id
    for username, password in ((analyst.username, "wrong password"), ("nobody", PASSWORD),
                               (analyst.username, "")):
        with pytest.raises(AuthenticationError, match="wrong username or password"):
            sign_in_with_password(store, username, password)
    admin.disable_user(store, org_admin, analyst.username)
    with pytest.raises(AuthenticationError):
        sign_in_with_password(store, analyst.username, PASSWORD)
    with store.session() as session:
        logins = session.execute(select(AuditEntry.actor, AuditEntry.result).where(AuditEntry.action == "login")
                                 .order_by(AuditEntry.id)).all()
    assert logins == [(analyst.username, "denied"), ("nobody", "denied"), (analyst.username, "denied"),
                      (analyst.username, "denied")]
    with pytest.raises(AuthenticationError, match="--as USER"):
        sign_in(store)  # users exist: no implicit admin any more


def test_access_five_wrong_passwords_lock_the_username_for_a_while(store, monkeypatch):
    built = build(store, World(orgs=1, groups=[], users=[(0, "analyst"), (0, "analyst")], reports=[], incidents=[]))
    target, bystander = built.viewers
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(AuthenticationError, match="wrong username or password"):
            sign_in_with_password(store, target.username, "guessing again")
    with pytest.raises(AuthenticationError, match="5 wrong passwords within 15 minutes; try again after"):
        sign_in_with_password(store, target.username, PASSWORD)  # even the right password, until the lock ends
    assert sign_in_with_password(store, bystander.username, PASSWORD).user_id == bystander.user_id
    later = dt.datetime.now(dt.UTC) + auth.LOCKOUT + dt.timedelta(seconds=1)
    monkeypatch.setattr(auth, "_now", lambda: later)  # the lock ends LOCKOUT after the last wrong password
    assert sign_in_with_password(store, target.username, PASSWORD).user_id == target.user_id


def test_access_tokens_sign_in_until_revoked_or_expired(store):
    built = build(store, World(orgs=2, groups=[], users=[(0, "analyst"), (0, "org_admin"), (1, "org_admin")],
                               reports=[], incidents=[]))
    analyst, org_admin, other_admin = built.viewers
    token_id, token = admin.create_token(store, analyst, name="nightly export")
    viewer = sign_in_with_token(store, token)
    assert (viewer.user_id, viewer.token_id) == (analyst.user_id, token_id)
    assert sign_in(store, username=analyst.username, token=token).username == analyst.username
    with pytest.raises(AuthenticationError, match="not to"):
        sign_in(store, username=org_admin.username, token=token)
    with pytest.raises(AuthenticationError, match="unknown token"):
        sign_in_with_token(store, token[:-2] + "xx")
    with pytest.raises(NotFound):
        admin.revoke_token(store, other_admin, token_id)  # another organisation's admin: not theirs to see
    admin.revoke_token(store, org_admin, token_id)
    with pytest.raises(AuthenticationError, match="revoked"):
        sign_in_with_token(store, token)

    expiring_id, expiring = admin.create_token(store, analyst, expires_in=dt.timedelta(days=1))
    assert sign_in_with_token(store, expiring).token_id == expiring_id
    with store.session() as session:
        session.execute(update(ApiToken).where(ApiToken.id == expiring_id)
                        .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    with pytest.raises(AuthenticationError, match="expired"):
        sign_in_with_token(store, expiring)
    with store.session() as session:
        stored = session.scalars(select(ApiToken.secret_hash)).all()
    assert token not in stored and expiring not in stored  # only hashes are kept


# Administration across organisations


def test_access_an_org_admin_administers_only_their_own_organisation(store):
    built = build(store, World(orgs=2, groups=[], users=[(0, "org_admin"), (1, "analyst"), (0, "analyst"),
                                                         (0, "instance_admin")], reports=[], incidents=[]))
    admin_a, analyst_b, analyst_a, instance_admin = built.viewers
    org_b = built.org_ids[1]
    with pytest.raises(PermissionDenied):
        admin.add_user(store, admin_a, "intruder", "analyst", PASSWORD, org_b)
    with pytest.raises(NotFound, match=f"no user '{analyst_b.username}'"):  # as if there were none
        admin.disable_user(store, admin_a, analyst_b.username)
    with pytest.raises(PermissionDenied):
        admin.add_user(store, admin_a, "boss", "instance_admin", PASSWORD)  # above their own role
    with pytest.raises(PermissionDenied):
        admin.add_user(store, analyst_a, "friend", "viewer", PASSWORD)  # analysts administer nobody
    with pytest.raises(PermissionDenied):
        admin.add_org(store, admin_a, "Rogue partner")
    admin.add_user(store, admin_a, "newcomer", "viewer", PASSWORD)
    admin.disable_user(store, admin_a, analyst_a.username)
    admin.add_org(store, instance_admin, "Partner C", "SHA256:abc")
    admin.add_user(store, instance_admin, "c-admin", "org_admin", PASSWORD, "Partner C")
    with store.session() as session:
        users = dict(session.execute(select(User.username, User.disabled)).all())
        refused = session.execute(select(AuditEntry.actor, AuditEntry.target_type, AuditEntry.result)
                                  .where(AuditEntry.result.in_(("denied", "not_found")))
                                  .order_by(AuditEntry.id)).all()
    assert "intruder" not in users and "boss" not in users and users[analyst_b.username] is False
    assert users["newcomer"] is False and users[analyst_a.username] is True
    assert refused == [(admin_a.username, "user", "denied"), (admin_a.username, "user", "not_found"),
                       (admin_a.username, "user", "denied"), (analyst_a.username, "user", "denied"),
                       (admin_a.username, "organisation", "denied")]


def test_access_sharing_groups_list_only_where_the_organisation_belongs(store):
    built = build(store, World(orgs=3, groups=[], users=[(0, "org_admin"), (1, "viewer"), (2, "org_admin")],
                               reports=[], incidents=[]))
    admin_a, viewer_b, admin_c = built.viewers
    admin.add_group(store, admin_a, "QCCM", ["org1"])
    with pytest.raises(PermissionDenied):
        admin.add_group(store, viewer_b, "Mine", [])
    with pytest.raises(NotFound):
        admin.add_group(store, admin_a, "Ghosts", ["no such org"])
    assert [(g.name, members) for g, members in admin.list_groups(store, viewer_b)] == [("QCCM", ["org0", "org1"])]
    assert admin.list_groups(store, admin_c) == []


# The command line


def test_access_cli_reads_as_the_signed_in_user(sqlite_url):
    # The commands call the query layer checked above on both backends; here, on SQLite, that they pass the user on.
    database_url = sqlite_url
    store = open_store(database_url)
    world = World(orgs=2, groups=[frozenset({0, 1})], users=[(0, "analyst"), (1, "viewer")],
                  reports=[(0, "red", None), (0, "amber", 0), (1, "green", None)],
                  incidents=[((0, "red", None), [((0, "red", None), 0, False)]),
                             ((0, "amber", 0), [((0, "amber", 0), 1, False), ((0, "red", None), 0, False)]),
                             ((1, "green", None), [((1, "green", None), 2, False)])])
    built = build(store, world)
    for viewer in built.viewers:
        want = expected_for(built, viewer)
        _, token = admin.create_token(store, viewer)
        listed = run_jirga("incidents", "--db", database_url, "--format", "json", JIRGA_TOKEN=token)
        assert listed.returncode == 0, listed.stderr
        assert {row["id"] for row in json.loads(listed.stdout)} == want.incidents
        found = run_jirga("search", WORD, "--db", database_url, "--format", "json", JIRGA_TOKEN=token)
        assert {hit["report"] for hit in json.loads(found.stdout)} == want.reports
        shared = sorted(built.incidents)[1]  # AMBER with the group; one of its claims is RED
        shown = json.loads(run_jirga("show", str(shared), "--db", database_url, "--format", "json",
                                 JIRGA_TOKEN=token).stdout)
        assert len(shown["claims"]) == len(want.claims[shared])
        assert shown["killed_high"] == want.killed_high[shared]
    # Signing in by name and password, and the wrong password.
    partner = built.viewers[1]
    by_password = run_jirga("incidents", "--db", database_url, "--as", partner.username, "--format", "json",
                        JIRGA_PASSWORD=PASSWORD)
    assert by_password.returncode == 0, by_password.stderr
    wrong = run_jirga("incidents", "--db", database_url, "--as", partner.username, JIRGA_PASSWORD="guess")
    assert wrong.returncode == 1 and "wrong username or password" in wrong.stderr and "Traceback" not in wrong.stderr
    nobody = run_jirga("incidents", "--db", database_url)
    assert nobody.returncode == 1 and "--as USER" in nobody.stderr
    store.close()


def test_access_another_organisations_red_incident_is_not_found_and_audited(database_url, store):
    world = World(orgs=2, groups=[], users=[(0, "analyst"), (1, "analyst")], reports=[(1, "red", None)],
                  incidents=[((1, "red", None), [((1, "red", None), 0, False)])])
    built = build(store, world)
    (red,) = built.incidents
    _, token = admin.create_token(store, built.viewers[0])
    hidden = run_jirga("show", str(red), "--db", database_url, JIRGA_TOKEN=token)
    missing = run_jirga("show", "987654", "--db", database_url, JIRGA_TOKEN=token)
    assert hidden.returncode == missing.returncode == 1
    assert hidden.stderr.replace(str(red), "N") == missing.stderr.replace("987654", "N")  # the same answer
    assert hidden.stdout == missing.stdout == ""
    with store.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.target_type == "incident",
                                                        AuditEntry.target_id == str(red)))
    assert (entry.actor, entry.action, entry.target_type, entry.result) == (
        built.viewers[0].username, "read", "incident", "not_found")


def test_access_cli_without_users_acts_as_the_implicit_admin_until_the_first_user(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert run_jirga("incidents", "--db", url).returncode == 0
    first = run_jirga("user", "add", "amina", "--role", "analyst", "--password-stdin", "--db", url, stdin=PASSWORD)
    assert first.returncode == 1 and "first user" in first.stderr
    made = run_jirga("user", "add", "amina", "--role", "instance_admin", "--password-stdin", "--db", url,
                 stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert run_jirga("incidents", "--db", url).returncode == 1  # users exist now: say who you are
    as_amina = {"JIRGA_USER": "amina", "JIRGA_PASSWORD": PASSWORD}
    assert run_jirga("org", "add", "Partner B", "--db", url, **as_amina).returncode == 0
    assert run_jirga("group", "add", "QCCM", "--member", "Partner B", "--db", url, **as_amina).returncode == 0
    groups = json.loads(run_jirga("group", "list", "--format", "json", "--db", url, **as_amina).stdout)
    assert groups[0]["name"] == "QCCM" and "Partner B" in groups[0]["members"]
    listed = json.loads(run_jirga("audit", "list", "--format", "json", "--db", url, **as_amina).stdout)
    assert {row["actor"] for row in listed} == {"amina", "(implicit-admin)"}
    verified = run_jirga("audit", "verify", "--db", url, **as_amina)
    assert verified.returncode == 0 and "intact" in verified.stdout


def test_access_writing_needs_an_analyst_and_belongs_to_their_organisation(sqlite_url, tmp_path):
    store = open_store(sqlite_url)
    built = build(store, World(orgs=2, groups=[], users=[(1, "viewer"), (1, "analyst")], reports=[], incidents=[]))
    viewer, analyst = built.viewers
    report = tmp_path / "wire.txt"
    report.write_text("PESHAWAR, March 4 - A suicide bomber killed 57 people at a mosque in Peshawar on Friday.")
    url = str(store.engine.url)
    tokens = {v.role: admin.create_token(store, v)[1] for v in built.viewers}
    refused = run_jirga("ingest", str(report), "--db", url, "--workers", "1", JIRGA_TOKEN=tokens["viewer"])
    assert refused.returncode == 1 and "may not ingest" in refused.stderr
    done = run_jirga("ingest", str(report), "--db", url, "--workers", "1", JIRGA_TOKEN=tokens["analyst"])
    assert done.returncode == 0 and done.stdout.startswith("1 new"), done.stderr
    with store.session() as session:
        assert set(session.scalars(select(Report.owner_org_id))) == {analyst.org_id}
        assert set(session.scalars(select(Claim.owner_org_id))) == {analyst.org_id}
        writes = session.execute(select(AuditEntry.actor, AuditEntry.result).where(AuditEntry.action == "write")
                                 .order_by(AuditEntry.id)).all()
    # The batch's entry naming the report it stored, then the run's summary.
    assert writes == [(viewer.username, "denied"), (analyst.username, "ok"), (analyst.username, "ok")]
    store.close()


# SQL injection


INJECTIONS = ["' OR '1'='1", "'; DROP TABLE incidents; --", '" OR 1=1 --', "1) OR (1=1", "%' --",
              "PK' UNION SELECT * FROM users --", "\x00", "2016-01' OR 'a'='a", "NEAR(", "*"]


@pytest.mark.parametrize("field_name", ["actor", "country", "province", "since", "until", "kind", "attack_type"])
def test_access_sql_injection_in_filters_gives_a_query_error_or_nothing_more(store, field_name):
    world = World(orgs=2, groups=[], users=[(0, "viewer")], reports=[(1, "red", None), (0, "green", None)],
                  incidents=[((1, "red", None), [((1, "red", None), 0, False)]),
                             ((0, "green", None), [((0, "green", None), 1, False)])])
    built = build(store, world)
    viewer = built.viewers[0]
    allowed = expected_for(built, viewer).incidents
    for value in INJECTIONS:
        with store.session() as session:
            try:
                listed = list_incidents(session, IncidentFilter(**{field_name: value}, include_superseded=True),
                                        viewer=viewer)
            except QueryError:
                continue
            assert {i.id for i in listed} <= allowed
    with store.session() as session:
        for value in INJECTIONS:
            assert {h.report_id for h in search_reports(session, f"{value} {WORD}", viewer=viewer)} <= \
                expected_for(built, viewer).reports
        assert session.scalar(select(func.count()).select_from(Incident)) == 2  # nothing dropped


# The audit log


def tamper(store, statement: str) -> None:
    """As someone with the database owner's rights would: drop the append-only triggers, then change a row."""
    with store.engine.begin() as connection:
        if store.dialect == "postgresql":
            connection.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        connection.execute(text(statement))


def audited_reads(store, count: int) -> None:
    viewer = implicit_admin(store)
    for _ in range(count):
        with store.session() as session:
            list_incidents(session, IncidentFilter(), viewer=viewer)


def test_access_every_query_writes_one_chained_entry(store):
    audited_reads(store, 5)
    with store.session() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [e.id for e in entries] == [1, 2, 3, 4, 5]
        assert entries[0].prev_hash == "0" * 64
        assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
        assert audit.verify(session).ok


def test_access_the_audit_log_refuses_updates_and_deletes(store):
    audited_reads(store, 2)
    for statement in ("UPDATE audit_log SET actor = 'someone else' WHERE id = 1", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))


@pytest.mark.parametrize(("statement", "broken_at", "why"), [
    ("UPDATE audit_log SET actor = 'someone else' WHERE id = 3", 3, "altered"),
    ("UPDATE audit_log SET result = 'ok', hash = CASE WHEN hash LIKE 'f%' THEN 'e' ELSE 'f' END || substr(hash, 2) "
     "WHERE id = 3", 3, "altered"),
    ("UPDATE audit_log SET prev_hash = CASE WHEN prev_hash LIKE 'f%' THEN 'e' ELSE 'f' END "
     "|| substr(prev_hash, 2) WHERE id = 4", 4, "does not link"),
    ("DELETE FROM audit_log WHERE id = 3", 3, "deleted"),
    ("DELETE FROM audit_log WHERE id >= 4", 4, "entries after 3 were deleted"),
])
def test_access_audit_verify_finds_the_first_broken_link(store, statement, broken_at, why):
    audited_reads(store, 5)
    tamper(store, statement)
    with store.session() as session:
        verdict = audit.verify(session)
    assert (verdict.broken_at, verdict.ok) == (broken_at, False)
    assert why in verdict.reason


def test_access_cli_audit_verify_exits_1_at_a_deleted_middle_entry(database_url, store):
    audited_reads(store, 5)
    assert run_jirga("audit", "verify", "--db", database_url).returncode == 0
    tamper(store, "DELETE FROM audit_log WHERE id = 3")
    result = run_jirga("audit", "verify", "--db", database_url)
    assert result.returncode == 1
    assert result.stdout.startswith("audit log broken at entry 3: entry 3 deleted"), result.stdout


def test_access_audit_list_is_for_admins_and_org_admins_see_their_own(store):
    built = build(store, World(orgs=2, groups=[], users=[(0, "org_admin"), (1, "analyst"), (1, "instance_admin")],
                               reports=[], incidents=[]))
    admin_a, analyst_b, instance_admin = built.viewers
    for viewer in built.viewers:
        with store.session() as session:
            list_incidents(session, IncidentFilter(), viewer=viewer)
    with store.session() as session:
        with pytest.raises(PermissionDenied):
            audit.entries(session, analyst_b)
        assert {e.actor for e in audit.entries(session, admin_a)} == {admin_a.username}
        assert {e.actor for e in audit.entries(session, instance_admin)} == {v.username for v in built.viewers}


def test_access_concurrent_writers_never_fork_the_chain(store):
    viewer = implicit_admin(store)
    errors: list[BaseException] = []

    def write_many() -> None:
        try:
            for _ in range(15):
                with store.session() as session:
                    audit.record(session, viewer, "read", "incident", None, "ok", "concurrency test")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.session() as session:
        verdict = audit.verify(session)
    assert verdict.ok and verdict.entries == 60



def test_access_concurrent_reads_commit_their_entries_together_and_never_lose_one(store):
    """Reads under `audit.read_session` hand their entries to a group commit: every entry is in the chain when
    its read returns, a read that fails (an audited "not found") keeps its entry, and the chain stays whole."""
    viewer = implicit_admin(store)
    errors: list[BaseException] = []

    def read_many(worker: int) -> None:
        try:
            for number in range(15):
                with audit.read_session(store) as session:
                    audit.record(session, viewer, "read", "stix_object", f"{worker}-{number}", "ok", "group test")
                with store.session() as session:  # committed before the read returned
                    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
                        AuditEntry.target_id == f"{worker}-{number}")) == 1
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=read_many, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with pytest.raises(NotFound), audit.read_session(store) as session:
        audit.record(session, viewer, "read", "stix_object", "missing", "not_found", "no such object")
        raise NotFound("no such object")
    with store.session() as session:
        verdict = audit.verify(session)
        missing = session.scalar(select(AuditEntry.result).where(AuditEntry.target_id == "missing"))
    assert verdict.ok and verdict.entries == 91 and missing == "not_found"


def test_access_a_read_whose_entry_cannot_be_written_fails(store):
    """No read goes unaudited: if the group's transaction fails, so does every read in it."""
    viewer = implicit_admin(store)
    with store.session() as session:
        session.execute(text("DELETE FROM audit_chain"))
    with pytest.raises(audit.AuditChainMissing), audit.read_session(store) as session:
        audit.record(session, viewer, "read", "stix_object", "x", "ok", "")

# Sharing groups set by every writer: `jirga ingest --group`, POST /api/v1/reports, the add-report form, the coding
# form. What they store carries the group asked for (only one the writer's organisation belongs to), and each user
# then sees exactly what the rules allow.

WRITERS = ("ingest", "api", "form", "code")


@st.composite
def group_writes(draw) -> tuple[int, list[frozenset[int]], list[tuple[str, int, str, int | None]]]:
    orgs = draw(st.integers(2, 3))
    org = st.integers(0, orgs - 1)
    groups = draw(st.lists(st.frozensets(org, min_size=1, max_size=orgs), min_size=1, max_size=2))
    write = st.tuples(st.sampled_from(WRITERS), org, st.sampled_from(LEVELS),
                      st.none() | st.integers(0, len(groups) - 1))
    return orgs, groups, draw(st.lists(write, min_size=1, max_size=4))


def _write(store, client: TestClient, token: str, viewer: Viewer, writer: str, tlp: str, group: str | None,
           text: str) -> bool:
    """Store `text` through `writer`, as `viewer`; False when the group was refused."""
    from jirga.access.rules import GroupError, member_group
    from jirga.model.report import IncomingReport

    headers = {"Authorization": f"Bearer {token}"}
    if writer == "ingest":  # as `jirga ingest --group` does
        try:
            with store.session() as session:
                group_id = member_group(session, viewer.org_id, group) if group else None
        except GroupError:
            return False
        ingest_reports(store, [IncomingReport(text, "ingest", published=dt.date(2016, 8, 8))], viewer=viewer,
                       tlp=tlp, group=group_id, source="wire", silent=True)
        return True
    if writer == "api":
        answer = client.post("/api/v1/reports", headers=headers, json={
            "text": text, "source": "wire", "tlp": tlp, "group": group, "published": "2016-08-08"})
    elif writer == "form":
        answer = client.post("/reports/new", headers=headers, data={
            "text": text, "source": "wire", "tlp": tlp, "group": group or "", "published": "2016-08-08"})
    else:
        answer = client.post("/code", headers=headers, data={
            "text": text, "source": "wire", "tlp": tlp, "group": group or "", "kind": "attack",
            "date": "2016-08-07", "place": "Quetta", "country": "PK", "killed_best": "2"})
    if answer.status_code == 422 and "in no sharing group called" in answer.text:
        return False
    assert answer.status_code in (200, 201, 303), answer.text
    return True


@pytest.mark.slow  # generated worlds, each built in the store
def test_access_records_written_with_a_group_reach_exactly_its_members(store):
    client = TestClient(create_app(store=store, hosts=["testserver"]))
    examples = itertools.count()

    @settings(max_examples=8 if store.dialect == "sqlite" else 4, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(group_writes())
    def check(world) -> None:
        orgs, groups, writes = world
        prefix = f"w{next(examples)}-"
        built = build(store, World(orgs=orgs, groups=groups, users=[(i, "analyst") for i in range(orgs)],
                                   reports=[], incidents=[]), prefix)
        group_ids = sorted(built.members)
        with store.session() as session:
            first_report = (session.scalar(select(func.max(Report.id))) or 0) + 1
            first_incident = (session.scalar(select(func.max(Incident.id))) or 0) + 1
        tokens = [admin.create_token(store, viewer)[1] for viewer in built.viewers]
        for number, (writer, owner, tlp, group) in enumerate(writes):
            name = f"{prefix}group{group}" if group is not None else None
            text = (f"Gunmen shot dead {number + 2} policemen on patrol in Quetta on Sunday, police said "
                    f"({prefix}{number}, {WORD}).")
            stored = _write(store, client, tokens[owner], built.viewers[owner], writer, tlp, name, text)
            member = group is None or built.org_ids[owner] in built.members[group_ids[group]]
            assert stored == member, (writer, owner, group)  # a group the writer is not in is refused
            with store.session() as session:
                row = session.scalar(select(Report).where(Report.text == text))
                assert (row is not None) == member
                if row is not None:  # the marking asked for, the group included, on the report and its claims
                    wanted = (built.org_ids[owner], tlp, group_ids[group] if group is not None else None)
                    assert (row.owner_org_id, row.tlp, row.sharing_group_id) == wanted
                    claims = session.execute(select(Claim.owner_org_id, Claim.tlp, Claim.sharing_group_id)
                                             .where(Claim.report_id == row.id)).all()
                    assert claims and {tuple(c) for c in claims} == {wanted}
        with store.session() as session:
            reports = {r.id: (r.owner_org_id, r.tlp, r.sharing_group_id)
                       for r in session.scalars(select(Report).where(Report.id >= first_report))}
            incidents = {i.id: (i.owner_org_id, i.tlp, i.sharing_group_id)
                         for i in session.scalars(select(Incident).where(Incident.id >= first_incident))}
            claims = {c.id: (c.owner_org_id, c.tlp, c.sharing_group_id, c.incident_id)
                      for c in session.scalars(select(Claim).where(Claim.report_id >= first_report))}
        for viewer in built.viewers:
            def sees(marking, viewer=viewer) -> bool:
                return may_see(viewer.org_id, *marking, built.members)

            seen_claims = {c for c, (*marking, _) in claims.items() if sees(marking)}
            want = {i for i, marking in incidents.items()
                    if sees(marking) or any(claims[c][3] == i for c in seen_claims)}
            with store.session() as session:
                listed = list_incidents(session, IncidentFilter(include_superseded=True, limit=5000), viewer=viewer)
                assert {i.id for i in listed if i.id >= first_incident} == want
                hits = search_reports(session, WORD, limit=5000, viewer=viewer)
                assert {h.report_id for h in hits if h.report_id >= first_report} == {
                    r for r, marking in reports.items() if sees(marking)}
                for incident in listed:
                    if incident.id in want:
                        assert {c.id for c in incident.claims} == {c for c in seen_claims
                                                                    if claims[c][3] == incident.id}

    check()
