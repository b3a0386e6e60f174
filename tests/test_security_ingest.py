"""Security findings in the readers and the ingest (docs/security.md, "Ingest and readers"): each test failed
before its fix."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time

import pytest
from sqlalchemy import select

from jirga.access.rules import Viewer
from jirga.cli.output import terminal_json, terminal_text
from jirga.db.schema import Claim, Incident, Organisation, Report
from jirga.extract import extract
from jirga.ingest.feed import read_feed
from jirga.ingest.html import read_html
from jirga.ingest.readers import read_inputs, read_upload
from jirga.ingest.stix import read_bundle
from jirga.ingest.textfile import BadInput, read_metadata
from jirga.model import tlp
from jirga.model.extraction import DateRange
from jirga.model.report import IncomingReport
from jirga.store.claims import decompose
from jirga.store.queries import search_reports
from tests.conftest import Ingested, ingest_reports, run_jirga

PROSE = ("A suicide bomber killed eleven people at a crowded market in Quetta on Tuesday, police officials said. "
         "Dozens more were wounded and taken to the Civil Hospital, where doctors declared an emergency. ")
STAMP = "2018-07-14T10:00:00.000Z"
REPORT_ID = "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcbd"
IDENTITY_ID = "identity--2a9b7c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
RED_WORD = "zarghunshah"  # a word only the partner's RED text holds


def ingest(store, items) -> tuple[Ingested, list[str], list[str]]:
    ran = ingest_reports(store, items)
    return ran, ran.errors, ran.notes


def stored(store, column):
    with store.session() as session:
        return list(session.scalars(select(column)))


def feed(*items: str, title: str = "Frontier wire") -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{"".join(items)}'
            "</channel></rss>").encode()


def item(link: str = "https://wire.example/1", date: str = "Tue, 10 Jul 2018 08:00:00 GMT", text: str = PROSE) -> str:
    return f"<item><title>Market bombing</title><link>{link}</link><pubDate>{date}</pubDate>" \
           f"<description>{text}</description></item>"


def bundle(*objects) -> bytes:
    return json.dumps({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
                       "objects": list(objects)}).encode()


def stix_report(**fields) -> dict:
    return {"type": "report", "spec_version": "2.1", "id": REPORT_ID, "created": STAMP, "modified": STAMP,
            "name": "Market bombing in Quetta", "published": STAMP, "description": PROSE,
            "object_refs": ["incident--1c8d4a0e-53b0-4e8a-9d2c-5c8d0f6e7a01"], **fields}


def page(head: str = "", body: str = PROSE * 2) -> bytes:
    return (f"<!doctype html><html><head><title>Market bombing</title>{head}</head><body><article><p>{body}</p>"
            "</article></body></html>").encode()


# --- Finding 1: links are http(s) only ------------------------------------------------------------------------

HOSTILE_LINKS = ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
                 "file:///etc/passwd", "//evil.example/x", "vbscript:msgbox(1)"]


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_a_feed_entry_link_that_is_no_http_url_is_left_out_and_said(link):
    (report,) = read_feed(feed(item(link=link.replace("&", "&amp;").replace("<", "&lt;"))), "wire.xml")
    assert isinstance(report, IncomingReport) and report.url is None
    (note,) = report.notes
    assert note.startswith("wire.xml, entry 1: link must be an http:// or https:// address; stored without it")


def test_a_stix_external_reference_that_is_no_http_url_is_left_out_and_the_next_good_one_kept():
    refs = [{"source_name": "a", "url": "javascript:alert(1)"}, {"source_name": "b", "url": "https://ok.example/r"}]
    (report,) = read_bundle(bundle(stix_report(external_references=refs)), "b.json")
    assert report.url == "https://ok.example/r"
    assert report.notes == (f"b.json, {REPORT_ID}, external reference: link must be an http:// or https:// address; "
                            "stored without it ('javascript:alert(1)')",)
    (report,) = read_bundle(bundle(stix_report(external_references=refs[:1])), "b.json")
    assert report.url is None


def test_an_html_canonical_url_that_is_no_http_url_is_left_out():
    head = '<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="javascript:alert(2)">'
    report = read_html(page(head), "page.html")
    assert report.url is None
    assert all("link must be an http:// or https:// address" in note for note in report.notes)
    assert read_html(page('<link rel="canonical" href="https://news.example/a">'), "page.html").url == \
        "https://news.example/a"


def test_a_metadata_url_that_is_no_http_url_refuses_the_file_with_its_line(tmp_path):
    csv = tmp_path / "meta.csv"
    csv.write_text("file,published,url\na.txt,2018-07-10,https://ok.example/a\nb.txt,2018-07-10,javascript:alert(1)\n")
    with pytest.raises(BadInput, match=r"meta.csv, line 3: url must be an http:// or https:// address"):
        read_metadata(csv)


def test_the_ingest_stores_no_link_but_http_and_refuses_a_bad_one_given_by_the_caller(store):
    good = IncomingReport(text=PROSE, origin="given.txt", url="javascript:alert(1)", source="Desk")
    run, errors, warnings = ingest(store, [*read_feed(feed(item(link="javascript:alert(1)")), "wire.xml"), good])
    assert errors == ["given.txt: link must be an http:// or https:// address ('javascript:alert(1)')"]
    assert warnings and warnings[0].startswith("wire.xml, entry 1: link must be")
    assert run.summary.new == 1 and run.summary.failed == 1  # the feed's report, stored without its link
    assert stored(store, Report.url) == [None]


# --- Finding 2: STIX granular and unknown markings ------------------------------------------------------------

def partner_bundle(**fields) -> bytes:
    identity = {"type": "identity", "spec_version": "2.1", "id": IDENTITY_ID, "created": STAMP, "modified": STAMP,
                "name": "Partner desk", "identity_class": "organization"}
    text = f"{PROSE} The informant {RED_WORD} named the cell's safe house."
    return bundle(identity, stix_report(description=text, created_by_ref=IDENTITY_ID, **fields))


GREEN = tlp.TLP2_MARKING_IDS["green"]
RED = tlp.TLP2_MARKING_IDS["red"]
STATEMENT_ID = "marking-definition--7c4a1f0e-2b3d-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.mark.parametrize(("fields", "extra", "level"), [
    ({"object_marking_refs": [GREEN], "granular_markings": [{"marking_ref": RED, "selectors": ["description"]}]},
     [], "red"),
    ({"object_marking_refs": [GREEN], "granular_markings": [{"marking_ref": tlp.TLP1_MARKING_IDS["amber"],
                                                             "selectors": ["name"]}]}, [], "amber"),
    ({"object_marking_refs": [GREEN, STATEMENT_ID]},  # a statement marking: not TLP, so it may forbid anything
     [{"type": "marking-definition", "spec_version": "2.1", "id": STATEMENT_ID, "created": STAMP,
       "definition_type": "statement", "definition": {"statement": "Not for release outside the cell"}}], "red"),
    ({"object_marking_refs": ["marking-definition--00000000-0000-4000-8000-000000000000"]}, [], "red"),
])
def test_granular_and_unknown_markings_make_the_report_at_least_as_strict(fields, extra, level):
    items = read_bundle(bundle(*extra, *json.loads(partner_bundle(**fields))["objects"]), "p.json")
    (report,) = [item for item in items if isinstance(item, IncomingReport)]
    assert report.tlp == level


def test_an_identity_marked_beyond_green_is_named_by_its_id_only():
    identity = {"type": "identity", "spec_version": "2.1", "id": IDENTITY_ID, "created": STAMP, "modified": STAMP,
                "name": "Secret desk", "identity_class": "organization", "object_marking_refs": [RED]}
    (report,) = read_bundle(bundle(identity, stix_report(created_by_ref=IDENTITY_ID, object_marking_refs=[GREEN])),
                            "p.json")
    assert report.source == IDENTITY_ID


def test_a_partners_red_text_under_a_green_report_is_not_found_by_another_organisation(store):
    data = partner_bundle(object_marking_refs=[GREEN],
                          granular_markings=[{"marking_ref": RED, "selectors": ["description"]}])
    run, errors, _ = ingest(store, read_bundle(data, "partner.json"))
    assert not errors and run.summary.new == 1
    assert stored(store, Report.tlp) == ["red"]
    with store.session() as session:
        other = Organisation(name="Another organisation")
        session.add(other)
        session.flush()
        outsider = Viewer(None, other.id, "analyst", "outsider")
    owner = Viewer(None, store.local_org_id(), "analyst", "owner")
    with store.session() as session:
        assert search_reports(session, RED_WORD, viewer=outsider) == []
        assert len(search_reports(session, RED_WORD, viewer=owner)) == 1


# --- Finding 4: dates outside 1900-01-01..tomorrow --------------------------------------------------------------

def test_publication_dates_outside_the_window_are_refused_naming_the_report(store):
    future = (dt.date.today() + dt.timedelta(days=30)).strftime("%a, %d %b %Y 08:00:00 GMT")
    items = [*read_feed(feed(item(date=future), item(link="https://wire.example/2", text=PROSE + " Again.")),
                        "wire.xml"),
             *read_bundle(bundle(stix_report(published="1850-03-01T00:00:00Z")), "old.json"),
             IncomingReport(text=PROSE + " Third.", origin="given.txt", published=dt.date(1, 1, 1))]
    run, errors, _ = ingest(store, items)
    latest = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert errors == [
        f"wire.xml, entry 1: publication date {dt.date.today() + dt.timedelta(days=30)} is outside 1900-01-01 to "
        f"{latest}",
        f"old.json, {REPORT_ID}: publication date 1850-03-01 is outside 1900-01-01 to {latest}",
        f"given.txt: publication date 0001-01-01 is outside 1900-01-01 to {latest}"]
    assert run.summary.new == 1 and stored(store, Report.published) == [dt.date(2018, 7, 10)]


@pytest.mark.parametrize("raw", ["0000-01-01T00:00:00Z", "-001-01-01", "Sat, 01 Jan 0000 00:00:00 GMT",
                                 "Mon, 01 Jan -1 00:00:00 GMT", "Mon, 01 Jan 10000 00:00:00 GMT"])
def test_a_feed_date_that_is_no_real_date_is_not_invented(raw):
    (report,) = read_feed(feed(item(date=raw)), "wire.xml")
    assert report.published is None  # not 2000, not this year: the feed does not say


@pytest.mark.parametrize("command", ["extract", "ingest"])
@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_published_option_outside_the_window_is_refused_without_a_traceback(tmp_path, command, date):
    report = tmp_path / "r.txt"
    report.write_text(PROSE)
    result = run_jirga(command, str(report), "--published", date, "--db", f"sqlite:///{tmp_path / 'j.db'}") \
        if command == "ingest" else run_jirga(command, str(report), "--published", date)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument --published: the date {date} is outside 1900-01-01 to" in result.stderr


def test_a_metadata_date_outside_the_window_is_refused_with_its_line(tmp_path):
    csv = tmp_path / "meta.csv"
    csv.write_text("file,published\na.txt,2018-07-10\nb.txt,0001-01-01\n")
    with pytest.raises(BadInput, match=r"meta.csv, line 3: published 0001-01-01 is outside 1900-01-01 to"):
        read_metadata(csv)
    result = run_jirga("extract", str(csv.with_name("a.txt")), "--metadata", str(csv))
    assert result.returncode == 2 and "line 3: published 0001-01-01 is outside" in result.stderr


def far_dates(extraction, date: DateRange):
    return dataclasses.replace(extraction, incidents=tuple(
        dataclasses.replace(incident, date=date) for incident in extraction.incidents))


FAR = DateRange(dt.date(9999, 12, 31), dt.date(9999, 12, 31), "day", "31 December 9999")
OLD = DateRange(dt.date(1066, 10, 14), dt.date(1066, 10, 14), "day", "14 October 1066")


@pytest.mark.parametrize("date", [FAR, OLD])
def test_an_event_date_outside_the_window_becomes_no_claim(date):
    found = decompose(far_dates(extract(PROSE, dt.date(2018, 7, 12)), date), PROSE)
    assert found.events and all(claim["field"] != "date" for event in found.events for claim in event.claims)
    assert any(claim["field"] == "killed" for event in found.events for claim in event.claims)  # the rest stays


def test_an_event_dated_9999_is_stored_without_its_date(store, monkeypatch):
    import jirga.extract

    real = jirga.extract.extract
    monkeypatch.setattr(jirga.extract, "extract", lambda text, published: far_dates(real(text, published), FAR))
    run, errors, _ = ingest(store, [IncomingReport(text=PROSE, origin="far.txt", published=dt.date(2018, 7, 12))])
    assert not errors and run.summary.new == 1 and run.summary.incidents >= 1
    fields = stored(store, Claim.field)
    assert "date" not in fields and "killed" in fields
    assert stored(store, Incident.date_start) == [None] * run.summary.incidents


# --- Finding 5: no reader backtracks on pathological input ------------------------------------------------------

PATHOLOGICAL = {
    "comments.html": b"<!--a-->" * 5000 + b"<p>" + PROSE.encode() + b"</p>",  # was 49 s at 24 comments
    "dashed-comments.html": b"<!-- a --- b -->" * 3000 + b"<p>x",
    "nested.html": b"<div>" * 50_000 + b"text",
    "unclosed-meta.html": b"<html><head>" + b"<meta " * 200_000 + b"<body><p>x</p>",
    "huge-attribute.html": b'<html><body><p title="' + b"a" * 2_000_000 + b'">x</p></body></html>',
    "ampersands.html": b"<html><body><p>" + b"&amp;" * 300_000 + b"&" * 300_000 + b"</p></body></html>",
    "unclosed-tags.html": b"<html><body><p>" + b"<a" * 300_000 + b"</p></body></html>",
    "comments.xml": feed(item()) + b"<!--a-->" * 3000 + b"<x",
    "unclosed-tags.xml": feed(item(text="&lt;a" * 200_000), title="&lt;a" * 50_000),
    "ampersands.xml": feed(item(text="&amp;amp;" * 200_000)),
    "entities.xml": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;'
                    b'&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;'
                    b'&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]><rss version="2.0"><channel><title>t'
                    b"</title><item><description>&e;&e;&e;</description></item></channel></rss>",
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "deep-bundle.json": bundle()[:-2] + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"]}",
    "long-number.json": bundle()[:-2] + b'{"a":' + b"1" * 100_000 + b"}]}",
    "blank-lines.txt": b"\n \n" * 300_000 + b"x",
    "newlines.txt": b"a" + b"\n " * 500_000,
    "urls.txt": (b"http://" + b"a" * 3000 + b".example/\n") * 100,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_every_reader_reads_pathological_input_in_linear_time(name):
    """Generous: each took under 2 s here; a backtracking pattern takes minutes to years on these."""
    started = time.monotonic()
    items = list(read_upload(PATHOLOGICAL[name], name, max_bytes=50_000_000))
    assert time.monotonic() - started < 20, name
    assert items and all(isinstance(item, IncomingReport | BadInput) for item in items)
    assert all(str(item).startswith(name) for item in items if isinstance(item, BadInput))


# --- Finding 9: one bad input fails alone, named; the others are stored ------------------------------------------

def bad_inputs() -> dict[str, bytes]:
    surrogate = bundle(stix_report(description=PROSE + " \\ud800 end")).replace(b"\\\\ud800", b"\\ud800")
    return {
        "year-zero.xml": feed(item(date="0000-01-01T00:00:00Z", text=PROSE + " Year zero.")),
        "long-number.json": bundle()[:-2] + b'{"a":' + b"1" * 10_000 + b"}]}",
        "surrogate.json": surrogate,
        "nul.json": bundle(stix_report(description=PROSE + " \u0000 end")),
        **{f"charset-{name}.html": page(f'<meta charset="{name}">', f"{PROSE * 2} {name} caf\xe9").replace(
            "caf\xe9".encode(), b"caf\xe9") for name in ("rot-13", "hex", "idna", "base64", "utf-7")},
    }


def test_bad_inputs_fail_alone_in_a_run_with_good_ones(tmp_path, database_url):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.txt").write_text(PROSE)
    for name, data in bad_inputs().items():
        (folder / name).write_bytes(data)
    other = "Gunmen killed four policemen in Peshawar on Monday, officials said, and two attackers were shot dead."
    (folder / "z-good.xml").write_bytes(feed(item(link="https://wire.example/2", text=other)))
    result = run_jirga("ingest", str(folder), "--db", database_url, "--workers", "1", "--published", "2018-07-12")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{folder / 'year-zero.xml'}" not in result.stderr  # no date is invented, none refused: stored
    assert f"{folder / 'long-number.json'}: not valid JSON (a number of more than 4,300 digits)" in result.stderr
    assert "surrogate.json, report--" in result.stderr and "lone surrogate" in result.stderr
    assert "nul.json, report--" in result.stderr and "NUL character" in result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    # a-good, year-zero, the five pages with a charset that is none (read as Windows-1252), z-good
    assert summary.startswith("8 new, 0 unchanged, 0 updated, 3 failed"), (summary, result.stderr)


def test_a_reader_that_breaks_fails_only_its_input(tmp_path, monkeypatch):
    import jirga.ingest.readers as readers

    def broken(data, origin, *args, **kwargs):
        yield IncomingReport(text=PROSE, origin=origin)
        raise RecursionError("maximum recursion depth exceeded")

    (tmp_path / "a.html").write_bytes(page())
    (tmp_path / "b.txt").write_text(PROSE)
    monkeypatch.setattr(readers, "read_document", broken)
    items = list(read_inputs([str(tmp_path / "a.html"), str(tmp_path / "b.txt")], detect_language=False))
    assert [type(item) for item in items] == [IncomingReport, BadInput, IncomingReport]
    assert str(items[1]) == f"{tmp_path / 'a.html'}: cannot be read (RecursionError: maximum recursion depth exceeded)"


# --- Low: no terminal escape sequence from a report reaches the analyst's terminal --------------------------------

def test_terminal_text_and_json_neutralise_control_characters():
    hostile = "Quetta\x1b]0;owned\x07 \x1b[2J\x9b31m bomb\r\nline two\tend\x7f"
    safe = terminal_text(hostile)
    assert not any((ord(char) < 32 and char not in "\n\t") or 0x7f <= ord(char) <= 0x9f for char in safe)
    assert "\n" in safe and "\n" not in terminal_text(hostile, one_line=True)
    dumped = terminal_json({"text": hostile})
    assert json.loads(dumped) == {"text": hostile}  # the data whole, only escaped
    assert not any((ord(char) < 32 and char not in "\n") or 0x7f <= ord(char) <= 0x9f for char in dumped)


def test_cli_output_of_stored_reports_carries_no_escape_sequence(tmp_path, database_url):
    text = PROSE.replace("Quetta", "Quetta\x1b]0;owned\x07\x1b[2J\u009b31m") + " The market was closed."
    report = tmp_path / "escape.txt"
    report.write_text(text)
    ingested = run_jirga("ingest", str(report), "--db", database_url, "--workers", "1", "--published", "2018-07-12")
    assert ingested.returncode == 0, ingested.stderr
    outputs = [run_jirga("search", "market", "--db", database_url, *fmt) for fmt in ([], ["--format", "json"])]
    incidents = run_jirga("incidents", "--db", database_url, "--format", "json", check=True)
    incident = json.loads(incidents.stdout)[0]["id"]
    outputs += [run_jirga("show", str(incident), "--db", database_url, *fmt) for fmt in ([], ["--format", "json"])]
    outputs += [run_jirga("incidents", "--db", database_url, "--format", fmt) for fmt in ("table", "csv", "json")]
    outputs.append(run_jirga("extract", str(report), "--format", "table", "--published", "2018-07-12"))
    outputs.append(run_jirga("extract", str(report), "--published", "2018-07-12"))
    for output in outputs:
        assert output.returncode == 0, output.stderr
        assert "\x1b]0;owned" not in output.stdout + output.stderr and "\x9b" not in output.stdout
        assert "\x07" not in output.stdout
