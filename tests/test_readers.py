"""The input readers of `jirga ingest`: HTML pages, RSS/Atom feeds, STIX bundles, URL lists and fetches, plain text.

Every bad input gives exactly one BadInput with a one-line message naming it, and nothing else from it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from jirga.ingest import language, readers, urls
from jirga.ingest.document import choose_kind
from jirga.ingest.feed import html_to_text, read_feed
from jirga.ingest.html import read_html
from jirga.ingest.sniff import sniff
from jirga.ingest.stix import read_bundle
from jirga.ingest.textfile import BadInput
from jirga.ingest.urls import fetch, looks_like_url_list, parse_url_list, read_url_list
from jirga.model import tlp
from jirga.model.report import IncomingReport
from jirga.version import __version__

DATA = Path(__file__).parent / "data" / "inputs"
GREEN2 = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def reports(items) -> list[IncomingReport]:
    return [item for item in items if isinstance(item, IncomingReport)]


def bad(items) -> list[BadInput]:
    return [item for item in items if isinstance(item, BadInput)]


def only_bad(items) -> str:
    """The message of the one BadInput that items must consist of."""
    items = list(items)
    assert len(items) == 1 and isinstance(items[0], BadInput), items
    message = str(items[0])
    assert "\n" not in message and "Traceback" not in message
    return message


# --- HTML pages -------------------------------------------------------------------------------------------------

def test_html_article_with_boilerplate_around_it():
    report = read_html((DATA / "sehwan_shrine.html").read_bytes(), "sehwan_shrine.html")
    assert report.title == "Suicide bomber kills 88 at Lal Shahbaz Qalandar shrine in Sehwan"
    assert report.published == dt.date(2017, 2, 17)
    assert report.url == "https://indusledger.example/pakistan/2017/02/17/sehwan-shrine-bombing"  # canonical link
    assert report.source == "Indus Ledger"  # og:site_name
    assert report.language == "en"
    paragraphs = report.text.split("\n\n")
    assert paragraphs[0] == report.title
    assert paragraphs[1].startswith("SEHWAN SHARIF: A suicide bomber blew himself up")
    assert "killing at least 88 people and wounding more than 250" in paragraphs[1]
    assert paragraphs[-1].endswith("the rituals would go on.")
    assert len(paragraphs) == 6
    for boilerplate in ("Subscribe", "Business", "All rights reserved", "Related", "Quetta hospital blast toll rises",
                        "Privacy policy"):
        assert boilerplate not in report.text


def test_html_respects_the_declared_charset():
    data = (DATA / "quetta_hospital_cp1252.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = read_html(data, "quetta.html")
    assert "the province’s legal community" in report.text
    assert report.title == "Lawyers killed in Quetta hospital bombing"
    assert report.published == dt.date(2016, 8, 9)  # JSON-LD datePublished
    assert report.source == "Balochistan Post Weekly"
    assert report.url is None
    for boilerplate in ("cookies", "morning briefing", "Gwadar", "Gladiators", "dark day", "Terms"):
        assert boilerplate not in report.text
    assert "Lawyers across the country boycotted the courts for a week in protest." in report.text


def test_html_given_url_wins_and_source_falls_back_to_host():
    page = (b"<html><head><title>Blast in Parachinar market</title></head><body><div class='story'>"
            b"<p>A bomb hidden in a vegetable crate exploded in the crowded Eidgah market in Parachinar on Saturday,"
            b" killing at least 22 people and wounding 50.</p></div></body></html>")
    report = read_html(page, "p.html", url="https://www.frontierdaily.example/2017/01/21/parachinar")
    assert report.url == "https://www.frontierdaily.example/2017/01/21/parachinar"
    assert report.source == "frontierdaily.example"
    assert report.published == dt.date(2017, 1, 21)  # from the URL
    assert read_html(page, "p.html").source is None


PARAGRAPHS = [
    "KABUL: A suicide bomber on foot blew himself up near the gate of the Afghan Supreme Court on Tuesday afternoon, "
    "killing 20 people as court employees were leaving work.",
    "Forty-one others were wounded, officials said, many of them women who worked in the court's offices. Ambulances "
    "took the injured to the Istiqlal and Wazir Akbar Khan hospitals.",
    "The Islamic State group's local branch claimed the bombing in a statement carried by its news agency, saying it "
    "had targeted judges who sentenced its fighters.",
    "The interior ministry said the attacker had waited in the car park among the cars of visitors before walking to "
    "the gate, where employees board the buses that take them home.",
]
NAV = "".join(f'<li><a href="/s{i}">Section {i}: another story about something else entirely</a></li>'
              for i in range(30))


@pytest.mark.parametrize("layout", ["p-in-div", "p-scattered-between-ads", "br-separated", "div-span", "table"])
def test_short_articles_are_extracted_whole(layout):
    """A 150-word story in a page of links: trafilatura must not drop it for being short."""
    blocks = {
        "p-in-div": '<div class="c">' + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>",
        "p-scattered-between-ads": "".join(f'<div class="blk"><p>{p}</p><div class="ad"><a href="/ad">Ad</a></div>'
                                           "</div>" for p in PARAGRAPHS),
        "br-separated": '<div class="c">' + "<br><br>".join(PARAGRAPHS) + "</div>",
        "div-span": '<div class="c">' + "".join(f"<div><span>{p}</span></div>" for p in PARAGRAPHS) + "</div>",
        "table": '<table><tr><td class="menu"><a href="/">Home</a><br><a href="/n">National</a></td><td>'
                 + "<br><br>".join(PARAGRAPHS) + "</td></tr></table>",
    }[layout]
    page = f"<html><head><title>Bomber hits Supreme Court</title></head><body><ul>{NAV}</ul>{blocks}<ul>{NAV}</ul>" \
           "<footer>Copyright 2017 Kabul Times Online</footer></body></html>"
    report = read_html(page.encode(), "court.html")
    for paragraph in PARAGRAPHS:
        assert paragraph in report.text
    assert "Section 3" not in report.text
    assert report.published is None  # no date guessed from the copyright line


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("nav_only.html", (DATA / "nav_only.html").read_bytes(), "no article text found in the HTML page"),
    ("truncated.html", (DATA / "truncated.html").read_bytes(), "cut short"),
    ("empty.html", b"", "no article text found in the HTML page"),
    ("plain.html", b"Just a note to myself: call the Peshawar office on Monday about the monthly figures.",
     "no article text found in the HTML page"),
    ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ("bundle.html", (DATA / "partner_bundle.json").read_bytes(), "no article text found in the HTML page"),
])
def test_bad_html_gives_one_clear_error(name, data, reason):
    with pytest.raises(BadInput) as caught:
        read_html(data, name)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and reason in message and "\n" not in message


# --- feeds ------------------------------------------------------------------------------------------------------

def test_rss_feed_gives_one_report_per_entry():
    items = list(read_feed((DATA / "frontier_wire.rss").read_bytes(), "frontier_wire.rss"))
    assert not bad(items)
    lahore, quetta, sehwan = items
    assert lahore.title == "Suicide bomber kills 13 at protest on Lahore's Mall Road"
    assert lahore.url == "https://frontierwire.example/2017/02/13/lahore-mall-road-blast"
    assert lahore.published == dt.date(2017, 2, 13)
    assert lahore.source == "Frontier Wire – Security"
    assert lahore.origin == "frontier_wire.rss, entry 1"
    assert lahore.language == "en"
    # content:encoded (the fuller text) over description; HTML flattened, paragraphs kept, scripts dropped
    assert lahore.text.split("\n\n") == [
        lahore.title,
        "LAHORE: A suicide bomber blew himself up among police officers who were negotiating with protesting chemists "
        "outside the Punjab Assembly on Mall Road on Monday evening, killing 13 people and wounding about 85.",
        "Among the dead were two senior officers, a deputy inspector general of traffic police and a senior "
        "superintendent of police. Jamaat-ul-Ahrar, a breakaway faction of the Pakistani Taliban, claimed the "
        "bombing.",
    ]
    assert "trackView" not in lahore.text
    assert quetta.text.split("\n\n")[1:] == [
        "QUETTA: Two members of the bomb disposal squad, including its commander, were killed on Monday when a bomb "
        "they were trying to defuse under a bridge on Sariab Road went off.",
        "Eleven people, among them policemen and passers-by, were wounded. No group said it had planted the device.",
    ]
    assert sehwan.published == dt.date(2017, 2, 16)
    assert "Lal Shahbaz Qalandar" in sehwan.text


def test_atom_feed():
    zanbaq, barchi = read_feed((DATA / "kabul_monitor.atom").read_bytes(), "kabul_monitor.atom")
    assert zanbaq.title == "Truck bomb in Kabul's diplomatic quarter kills more than 150"
    assert zanbaq.published == dt.date(2017, 5, 31)  # published, not updated
    assert zanbaq.url == "https://kabulmonitor.example/2017/05/31/zanbaq-square"
    assert zanbaq.source == "Kabul Conflict Monitor"
    assert zanbaq.text.count("\n\n") == 2 and "blamed the Haqqani network." in zanbaq.text
    assert barchi.published == dt.date(2018, 4, 22)
    assert "killing 57 and wounding 119" in barchi.text


def test_feed_dates_keep_their_own_time_zone():
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Late blast</title>'
            b"<description>A blast in Quetta late at night killed two policemen, officials said.</description>"
            b"<pubDate>Fri, 17 Feb 2017 02:05:00 +0500</pubDate></item></channel></rss>")
    (entry,) = read_feed(feed, "t.rss")
    assert entry.published == dt.date(2017, 2, 17)  # in UTC it is still the 16th


def test_feed_entry_without_text_is_named_and_the_others_still_come():
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
            b"<item><title>Photo gallery: Quetta</title><link>https://desk.example/gallery/7</link>"
            b"<description>   </description></item>"
            b"<item><title>Blast in Quetta</title><description>A bomb killed two policemen on Sariab Road in Quetta."
            b"</description></item></channel></rss>")
    empty, good = read_feed(feed, "desk.rss")
    assert isinstance(empty, BadInput) and isinstance(good, IncomingReport)
    assert str(empty) == ("desk.rss, entry 1 'Photo gallery: Quetta' <https://desk.example/gallery/7>: the entry has "
                          "no text (no content or summary)")


@pytest.mark.parametrize(("data", "reason"), [
    ((DATA / "not_a_feed.rss").read_bytes(), "not an RSS or Atom feed (syntax error at line 2"),
    ((DATA / "sehwan_shrine.html").read_bytes(), "not an RSS or Atom feed"),
    (b'{"type": "bundle"}', "not an RSS or Atom feed"),
    (b"", "not an RSS or Atom feed"),
    (b'<?xml version="1.0"?><note><to>desk</to></note>', "no <rss>, <feed> or <rdf:RDF> root element"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>', "the feed has no entries"),
    ((DATA / "frontier_wire.rss").read_bytes()[:1500], "the feed is cut short"),
])
def test_not_a_feed_gives_one_error(data, reason):
    message = only_bad(read_feed(data, "in.rss"))
    assert message.startswith("in.rss: ") and reason in message


def test_html_to_text_keeps_paragraphs():
    assert html_to_text("<p>One &amp; two.</p><p>Three<br>four</p><ul><li>five</li></ul>") == \
        "One & two.\n\nThree\n\nfour\n\nfive"
    assert html_to_text("no markup here,\n just text") == "no markup here, just text"


# --- STIX bundles -----------------------------------------------------------------------------------------------

def test_stix_bundle_reports_and_incidents():
    data = (DATA / "partner_bundle.json").read_bytes()
    report, incident = read_bundle(data, "partner_bundle.json")
    bundle = json.loads(data)
    stix_report = next(obj for obj in bundle["objects"] if obj["type"] == "report")
    assert report.title == "Suicide bombing at Lal Shahbaz Qalandar shrine, Sehwan"
    assert report.text == f"{report.title}\n\n{stix_report['description']}"
    assert report.published == dt.date(2017, 2, 17)
    assert report.url == "https://scrd.example/briefs/2017-02-17-sehwan"
    assert report.source == "Sindh Conflict Research Desk"  # the identity in created_by_ref
    assert report.tlp == "green"  # TLP 2.0 marking
    assert report.language == "en"
    assert report.origin == f"partner_bundle.json, {stix_report['id']}"
    assert incident.title == "Sehwan shrine bombing"
    assert incident.text.startswith("Sehwan shrine bombing\n\nSuicide attack on devotees")
    assert incident.published == dt.date(2017, 2, 16)  # its created date
    assert incident.tlp == "amber"  # TLP 1.0 marking
    assert incident.url is None


def test_stix_validation_needs_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access during STIX validation")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert len(reports(read_bundle((DATA / "partner_bundle.json").read_bytes(), "b.json"))) == 2
    assert "fails validation" in only_bad(read_bundle((DATA / "invalid_bundle.json").read_bytes(), "b.json"))


def test_invalid_bundle_gives_one_error_and_nothing_else():
    message = only_bad(read_bundle((DATA / "invalid_bundle.json").read_bytes(), "invalid_bundle.json"))
    assert message.startswith("invalid_bundle.json: STIX bundle fails validation: ")
    assert "'published' is a required property" in message
    assert "'16 February 2017' does not match the timestamp format" in message


def _bundle(*objects) -> bytes:
    return json.dumps({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
                       "objects": list(objects)}).encode()


STAMP = "2018-07-14T10:00:00.000Z"


def _report(**fields) -> dict:
    return {"type": "report", "spec_version": "2.1", "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcbd",
            "created": STAMP, "modified": STAMP, "name": "Mastung rally bombing", "published": STAMP,
            "object_refs": ["incident--1c8d4a0e-53b0-4e8a-9d2c-5c8d0f6e7a01"], **fields}


def test_report_without_description_is_named_and_the_others_still_come():
    incident = {"type": "incident", "spec_version": "2.1", "id": "incident--1c8d4a0e-53b0-4e8a-9d2c-5c8d0f6e7a01",
                "created": STAMP, "modified": STAMP, "name": "Mastung",
                "description": "A suicide bomber killed 149 people at an election rally in Mastung on 13 July 2018."}
    first, second = read_bundle(_bundle(_report(), incident), "m.json")
    assert str(first) == ("m.json, report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcbd: the report has no description to "
                          "read")
    assert isinstance(second, IncomingReport) and second.published == dt.date(2018, 7, 14)


def test_source_is_the_creator_id_when_its_identity_is_not_in_the_bundle():
    creator = "identity--2a9b7c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    (report,) = read_bundle(_bundle(_report(description="Rally bombing in Mastung.", created_by_ref=creator,
                                            lang="ur", object_marking_refs=[tlp.TLP2_MARKING_IDS["amber+strict"]])),
                            "m.json")
    assert report.source == creator and report.language == "ur" and report.tlp == "amber+strict"


@pytest.mark.parametrize(("data", "reason"), [
    (b'{"type": "bundle", "objects": [\n  {"type": "report",\n  }\n]}',
     "not valid JSON (Expecting property name enclosed in double quotes at line 3, column 3)"),
    (b"[1, 2]", "not a STIX bundle (the top level is 'list'"),
    (b'{"type": "report"}', "not a STIX bundle (the top level is 'report'"),
    (b"\xff\xfe{}", "not valid UTF-8"),
    (b'{"type": "bundle", "id": "bundle--x", "objects": []}', "fails validation"),
])
def test_not_a_bundle_gives_one_error(data, reason):
    message = only_bad(read_bundle(data, "in.json"))
    assert message.startswith("in.json: ") and reason in message


def test_tlp_table():
    assert tlp.LEVELS == ("clear", "green", "amber", "amber+strict", "red")
    assert tlp.from_marking_refs([GREEN2]) == "green"
    assert tlp.from_marking_refs(["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]) == "clear"  # WHITE
    assert tlp.from_marking_refs([GREEN2, tlp.TLP1_MARKING_IDS["red"]]) == "red"
    assert tlp.from_marking_refs(["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]) == "green"
    # A marking Jirga does not know may forbid more than any TLP level: it counts as RED, never as none.
    assert tlp.from_marking_refs(["marking-definition--00000000-0000-4000-8000-000000000000"]) == "red"
    assert tlp.from_marking_refs([]) is None
    assert tlp.normalize("TLP:AMBER+STRICT") == "amber+strict" and tlp.normalize("white") == "clear"
    assert tlp.rank("clear") < tlp.rank("green") < tlp.rank("amber") < tlp.rank("amber+strict") < tlp.rank("red")
    assert tlp.most_restrictive("green", None, "TLP:AMBER") == "amber"
    with pytest.raises(ValueError):
        tlp.normalize("orange")


# --- language ---------------------------------------------------------------------------------------------------

ENGLISH_WITH_NAMES = [
    "Tehrik-i-Taliban Pakistan claimed the attack in Dera Ismail Khan, Khyber Pakhtunkhwa, where Lashkar-e-Jhangvi "
    "and Jaish-e-Muhammad also operate, according to the Counter Terrorism Department in Peshawar.",
    "Militants of Jamaat-ul-Ahrar and Lashkar-e-Islam attacked a checkpoint in Bajaur, Mohmand and Khyber agencies; "
    "the Frontier Corps said Hafiz Gul Bahadur's men from North Waziristan were also involved.",
    (DATA / "bannu_jail_en.txt").read_text(encoding="utf-8"),
]


@pytest.mark.parametrize("text", ENGLISH_WITH_NAMES)
def test_language_english_despite_south_asian_names(text):
    assert language.detect(text) == "en"


@pytest.mark.parametrize(("code", "text"), [
    ("ur", (DATA / "peshawar_church_ur.txt").read_text(encoding="utf-8")),
    ("ru", (DATA / "karachi_airport_ru.txt").read_text(encoding="utf-8")),
    ("fa", "در انفجار انتحاری در نزدیکی مسجد شیعیان در شهر قندوز دست‌کم پنجاه نفر کشته و ده‌ها تن دیگر زخمی شدند. "
           "گروه داعش مسئولیت این حمله را بر عهده گرفت."),
    ("fr", "Un attentat-suicide a frappé le sanctuaire soufi de Lal Shahbaz Qalandar à Sehwan, dans le sud du "
           "Pakistan, tuant au moins quatre-vingts fidèles. L'État islamique a revendiqué l'attaque."),
])
def test_language_other_scripts_and_languages(code, text):
    assert language.detect(text) == code


@pytest.mark.parametrize("text", ["", "   ", "12 34 56", "Peshawar", "Khyber Pakhtunkhwa"])
def test_language_unknown_for_too_little_text(text):
    assert language.detect(text) is None


# --- sniffing ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "kind"), [
    ((DATA / "sehwan_shrine.html").read_bytes(), "html"),
    ((DATA / "frontier_wire.rss").read_bytes(), "feed"),
    ((DATA / "kabul_monitor.atom").read_bytes(), "feed"),
    (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- a comment -->\n<rdf:RDF xmlns:rdf="x">', "feed"),
    (b"  <div><p>fragment</p></div>", "html"),
    (b'<?xml version="1.0"?><note/>', "xml"),
    (b' {"type": "bundle"}', "json"),
    (b"Plain report text.", "text"),
    (b"%PDF-1.7\n...", "binary"),
    (b"ab\x00cd", "binary"),
])
def test_sniff(data, kind):
    assert sniff(data) == kind


def test_suffix_is_confirmed_by_sniffing():
    feed = (DATA / "frontier_wire.rss").read_bytes()
    page = (DATA / "sehwan_shrine.html").read_bytes()
    assert choose_kind("html", feed) == "feed"
    assert choose_kind("feed", page) == "html"
    assert choose_kind("feed", b"plain words") == "feed"  # the feed reader then says it is no feed
    assert choose_kind("bundle", b"\x89PNG\r\n") == "binary"
    assert choose_kind(None, b"plain words") == "text"


# --- URL lists --------------------------------------------------------------------------------------------------

URL_LIST = """# morning sweep
https://www.dawn-example.pk/news/1315112

http://tribune-example.pk/story/1321447   # the Sehwan follow-up
https://example.org/feed.xml#top
"""


def test_url_list_ignores_blank_lines_and_comments(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text(URL_LIST, encoding="utf-8")
    assert read_url_list(path) == ["https://www.dawn-example.pk/news/1315112", "http://tribune-example.pk/story/1321447",
                                   "https://example.org/feed.xml#top"]
    assert looks_like_url_list(URL_LIST)


def test_url_list_names_the_line_that_is_not_a_url(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text("https://a.example/1\n\nwww.dawn-example.pk/news/2\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"urls\.txt, line 3: 'www\.dawn-example\.pk/news/2' is not an http\(s\) URL"):
        read_url_list(path)
    with pytest.raises(BadInput, match=r"line 1: 'ftp://a\.example/x' is not an http"):
        parse_url_list("ftp://a.example/x\nhttps://b.example/", "l.txt")
    with pytest.raises(BadInput, match="no such file"):
        read_url_list(tmp_path / "missing.txt")


def test_a_report_quoting_links_is_not_a_url_list():
    assert not looks_like_url_list("Police said the video https://x.example/v was fake.\nhttps://x.example/v\n")
    assert not looks_like_url_list("Short\nlines\nhttps://x.example/v\n")
    assert not looks_like_url_list("# only a comment\n")


# --- fetching from a real local server --------------------------------------------------------------------------

class _Handler(SimpleHTTPRequestHandler):
    release: threading.Event
    seen_agents: list

    def do_GET(self):
        self.seen_agents.append(self.headers.get("User-Agent"))
        special = {
            "/error": self._error, "/slow": self._slow, "/redirect": self._redirect, "/noct": self._no_type,
            "/feed-as-html": self._feed_as_html, "/image": self._image, "/big": self._big,
        }.get(self.path)
        return special() if special else super().do_GET()

    def _send(self, status: int, body: bytes, content_type: str | None = None, **headers):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self):
        self._send(500, b"internal error", "text/plain")

    def _slow(self):
        self.release.wait(5)
        self._send(200, b"too late", "text/plain")

    def _redirect(self):
        self._send(302, b"", Location="/sehwan_shrine.html")

    def _no_type(self):
        self._send(200, (DATA / "sehwan_shrine.html").read_bytes())

    def _feed_as_html(self):
        self._send(200, (DATA / "frontier_wire.rss").read_bytes(), "text/html; charset=utf-8")

    def _image(self):
        self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")

    def _big(self):
        self._send(200, b"A long report. " * 100_000, "text/plain")

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up (the timeout test) is no error of the server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    for name in ("sehwan_shrine.html", "frontier_wire.rss", "kabul_monitor.atom", "partner_bundle.json",
                 "bannu_jail_en.txt", "invalid_bundle.json"):
        shutil.copy(DATA / name, root / name)
    release = threading.Event()
    handler = type("Handler", (_Handler,), {"release": release, "seen_agents": []})

    def make(*args, **kwargs):
        return handler(*args, directory=str(root), **kwargs)

    httpd = _Server(("127.0.0.1", 0), make)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def client():
    with urls.make_client() as client:
        yield client


def test_fetch_html_page(server, client):
    base, handler = server
    (report,) = fetch(f"{base}/sehwan_shrine.html", client)
    assert report.origin == f"{base}/sehwan_shrine.html"
    assert report.url == f"{base}/sehwan_shrine.html"  # where it was fetched from, not its canonical link
    assert report.title.startswith("Suicide bomber kills 88") and report.source == "Indus Ledger"
    assert handler.seen_agents[-1] == f"jirga/{__version__}"


def test_fetch_dispatches_on_content_and_sniffs(server, client):
    base, _ = server
    assert len(reports(fetch(f"{base}/frontier_wire.rss", client))) == 3
    assert len(reports(fetch(f"{base}/kabul_monitor.atom", client))) == 2
    stix = reports(fetch(f"{base}/partner_bundle.json", client))
    assert [r.tlp for r in stix] == ["green", "amber"]
    (text,) = fetch(f"{base}/bannu_jail_en.txt", client)
    assert text.text.startswith("Taliban free hundreds of prisoners") and text.source == "127.0.0.1"
    (untyped,) = fetch(f"{base}/noct", client)
    assert untyped.title.startswith("Suicide bomber kills 88")
    assert len(reports(fetch(f"{base}/feed-as-html", client))) == 3
    (redirected,) = fetch(f"{base}/redirect", client)
    assert redirected.url == f"{base}/sehwan_shrine.html"


@pytest.mark.parametrize(("path", "reason"), [
    ("/error", "HTTP 500 Internal Server Error"),
    ("/nothing-here.html", "HTTP 404 File not found"),
    ("/image", "unsupported content type image/png (not an HTML page, RSS/Atom feed, STIX bundle or plain text)"),
])
def test_fetch_failures_give_one_error(server, client, path, reason):
    base, _ = server
    assert only_bad(fetch(f"{base}{path}", client)) == f"{base}{path}: {reason}"


def test_fetched_invalid_bundle_gives_one_error(server, client):
    base, _ = server
    assert only_bad(fetch(f"{base}/invalid_bundle.json", client)).startswith(
        f"{base}/invalid_bundle.json: STIX bundle fails validation: ")


def test_fetch_too_large(server, client):
    base, _ = server
    message = only_bad(fetch(f"{base}/big", client, max_bytes=1_000_000))
    assert message == f"{base}/big: response too large (over 1.0 MB, see --max-bytes)"


def test_fetch_timeout(server, client):
    base, _ = server
    start = time.perf_counter()
    message = only_bad(fetch(f"{base}/slow", client, timeout=0.3))
    assert message == f"{base}/slow: no answer within 0.3 s (timed out)"
    assert time.perf_counter() - start < 3


def test_fetch_unreachable_host(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = only_bad(fetch(f"http://127.0.0.1:{port}/report", client))
    assert message.startswith(f"http://127.0.0.1:{port}/report: cannot connect (") and "refused" in message


def test_fetch_refuses_what_is_not_a_web_url(client):
    assert only_bad(fetch("file:///etc/passwd", client)) == "file:///etc/passwd: not an http(s) URL"


def test_network_errors_read_plainly():
    dns = httpx.ConnectError("[Errno -2] Name or service not known")
    assert urls.describe(dns) == "host not found (DNS lookup failed: Name or service not known)"
    assert urls.describe(httpx.ConnectError("[Errno 111] Connection refused")) == "cannot connect (connection refused)"
    assert urls.describe(httpx.TooManyRedirects("Exceeded maximum allowed redirects.")) == "too many redirects"
    assert urls.describe(httpx.RemoteProtocolError("peer closed connection")).startswith("the server broke off")


# --- the dispatcher ---------------------------------------------------------------------------------------------

def test_dispatcher_on_a_mixed_directory(monkeypatch):
    monkeypatch.setattr(readers, "make_client", _no_client)
    items = list(readers.read_inputs([str(DATA)]))
    assert sorted(Path(str(item).split(":")[0]).name for item in bad(items)) == [
        "invalid_bundle.json", "nav_only.html", "not_a_feed.rss", "truncated.html"]
    by_file: dict[str, list[IncomingReport]] = {}
    for report in reports(items):
        by_file.setdefault(Path(report.origin.split(",")[0]).name, []).append(report)
    assert {name: len(found) for name, found in by_file.items()} == {
        "bannu_jail_en.txt": 1, "frontier_wire.rss": 3, "kabul_monitor.atom": 2, "karachi_airport_ru.txt": 1,
        "partner_bundle.json": 2, "peshawar_church_ur.txt": 1, "quetta_hospital_cp1252.html": 1,
        "sehwan_shrine.html": 1}
    names = [Path((item.origin if isinstance(item, IncomingReport) else str(item)).split(",")[0].split(":")[0]).name
             for item in items]
    assert list(dict.fromkeys(names)) == sorted(set(names))  # files in sorted order, each read once
    assert by_file["karachi_airport_ru.txt"][0].language == "ru"
    assert by_file["peshawar_church_ur.txt"][0].language == "ur"
    assert by_file["bannu_jail_en.txt"][0].title == "" and by_file["bannu_jail_en.txt"][0].language == "en"
    assert all(report.language for report in reports(items))


def _no_client(*args, **kwargs):
    raise AssertionError("no HTTP client is needed for local files")


def test_dispatcher_confirms_suffixes_by_sniffing(tmp_path):
    shutil.copy(DATA / "frontier_wire.rss", tmp_path / "feed.html")
    shutil.copy(DATA / "sehwan_shrine.html", tmp_path / "page.xml")
    shutil.copy(DATA / "bannu_jail_en.txt", tmp_path / "README")  # no suffix: read as text when named
    items = list(readers.read_inputs([str(tmp_path / "feed.html"), str(tmp_path / "page.xml"),
                                      str(tmp_path / "README")]))
    assert [len(items), *(isinstance(item, IncomingReport) for item in items)] == [5, True, True, True, True, True]
    assert items[3].title.startswith("Suicide bomber kills 88")


def test_dispatcher_bad_paths(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "only-images").mkdir()
    (tmp_path / "only-images" / "photo.png").write_bytes(b"\x89PNG")
    (tmp_path / "blank.txt").write_text("  \n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "big.html").write_bytes(b"<html>" + b"x" * 2000 + b"</html>")
    (tmp_path / "hidden").mkdir()
    (tmp_path / "hidden" / ".draft.txt").write_text("A draft report.")
    targets = [str(tmp_path / "missing.txt"), str(tmp_path / "empty"), str(tmp_path / "only-images"),
               str(tmp_path / "blank.txt"), str(tmp_path / "binary.txt"), str(tmp_path / "big.html"),
               str(tmp_path / "hidden"), "gopher://old.example/1"]
    messages = [str(item) for item in readers.read_inputs(targets, max_bytes=1000)]
    assert messages == [
        f"{tmp_path / 'missing.txt'}: no such file",
        f"{tmp_path / 'empty'}: directory holds no input files (.atom, .htm, .html, .json, .rss, .text, .txt, .xml)",
        f"{tmp_path / 'only-images'}: directory holds no input files (.atom, .htm, .html, .json, .rss, .text, .txt, "
        ".xml)",
        f"{tmp_path / 'blank.txt'}: empty file",
        f"{tmp_path / 'binary.txt'}: binary file, not text",
        f"{tmp_path / 'big.html'}: file too large (0.0 MB; the limit is 0.0 MB, see --max-bytes)",
        f"{tmp_path / 'hidden'}: directory holds no input files (.atom, .htm, .html, .json, .rss, .text, .txt, .xml)",
        "gopher://old.example/1: not an http(s) URL nor a file",
    ]


def test_dispatcher_fetches_url_lists_and_urls(server, tmp_path, monkeypatch):
    base, _ = server
    made, original = [], readers.make_client

    def counting_client():
        made.append(original())
        return made[-1]

    monkeypatch.setattr(readers, "make_client", counting_client)
    (tmp_path / "sweep.txt").write_text(f"# sources\n{base}/sehwan_shrine.html\n{base}/frontier_wire.rss\n"
                                        f"{base}/error\n", encoding="utf-8")
    items = list(readers.read_inputs([str(tmp_path / "sweep.txt"), f"{base}/kabul_monitor.atom"]))
    assert len(reports(items)) == 1 + 3 + 2
    assert [str(item) for item in bad(items)] == [f"{base}/error: HTTP 500 Internal Server Error"]
    assert len(made) == 1 and made[0].is_closed  # made once, lazily, and closed at the end
    assert all(report.language == "en" for report in reports(items))


def test_dispatcher_leaves_a_given_client_open(server):
    base, _ = server
    with urls.make_client() as client:
        assert len(reports(readers.read_inputs([f"{base}/frontier_wire.rss"], client=client))) == 3
        assert not client.is_closed


def test_url_list_with_a_bad_line_is_one_error_and_fetches_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "make_client", _no_client)
    (tmp_path / "sweep.txt").write_text("https://a.example/1\nhttps://a.example/2\nnot-a-url\n", encoding="utf-8")
    assert only_bad(readers.read_inputs([str(tmp_path / "sweep.txt")])) == \
        f"{tmp_path / 'sweep.txt'}, line 3: 'not-a-url' is not an http(s) URL"
