"""jirga.train.scoring: any coding against gold, with the shared scorer's totals, and every miss in words."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest
import yaml

from jirga.errors import BadInput
from jirga.train.coding import check_coding
from jirga.train.gold import check_gold
from jirga.train.scoring import score, score_document
from tests.conftest import SEEDS, SHARED, run_jirga

REALDEV = SHARED / "realdev"
SHARED_SCORER = SHARED / "tools" / "score_extraction.py"
SETS = {"seeds": (SEEDS / "gold.yaml", SEEDS), "realdev": (REALDEV / "gold.yaml", REALDEV / "texts")}
COUNTS = re.compile(r"^(\S+): found (\d+)/(\d+), matched (\d+)/(\d+) (?:predicted|coded), fields (\d+)/(\d+)", re.M)


def shared_score(gold, predicted) -> tuple[dict[str, float], str]:
    """The shared scorer itself (../shared/tools), run as its own process: the reference ours must equal."""
    out = subprocess.run([sys.executable, str(SHARED_SCORER), "--gold", str(gold), "--pred", str(predicted)],
                         capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", out.strip().splitlines()[-1])}, out


def _extract(gold_file, texts, out):
    """`jirga extract` over the whole set in one run, each report with its publication date."""
    documents = yaml.safe_load(gold_file.read_text())["documents"]
    metadata = out / "metadata.csv"
    with metadata.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "published"])
        writer.writerows([name, str(doc["published"])] for name, doc in documents.items())
    predicted = out / "pred"
    result = run_jirga("extract", *(str(texts / name) for name in documents), "--metadata", str(metadata),
                       "--out", str(predicted))
    assert result.returncode == 0, result.stderr
    return predicted


@pytest.mark.parametrize("name", sorted(SETS))
def test_scoring_totals_equal_the_shared_scorers(name, tmp_path):
    gold, texts = SETS[name]
    if not gold.exists():
        pytest.skip(f"{gold} is not beside the checkout")
    predicted = _extract(gold, texts, tmp_path)
    figures, theirs = shared_score(gold, predicted)
    ours = run_jirga("score", "--gold", str(gold), "--pred", str(predicted))
    assert ours.returncode == 0, ours.stderr
    assert COUNTS.findall(ours.stdout) == COUNTS.findall(theirs) and COUNTS.findall(theirs)
    last = ours.stdout.strip().splitlines()[-1]
    assert {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", last)} == figures
    as_json = json.loads(run_jirga("score", "--gold", str(gold), "--pred", str(predicted), "--format",
                                   "json").stdout)
    for key in ("recall", "precision", "fields"):
        assert abs(as_json[key] - figures[key]) <= 0.0051, key  # the shared scorer rounds its figures to two places


QUETTA = {"kind": "attack", "attack_type": "suicide bombing", "place": {"city": "Quetta", "country": "PK"},
          "killed": {"value": 72, "qualifier": "at_least"}, "claimed_by": ["Jamaat-ul-Ahrar", "Islamic State"]}
KABUL = {"kind": "attack", "place": {"city": "Kabul", "country": "AF"},
         "date": {"year": 2016, "month": 7}, "claimed_by": ["Islamic State"]}
GOLD = {"incidents": {"required": [QUETTA, KABUL]}, "relations": [["Jamaat-ul-Ahrar", "allied_with", "Islamic State"]]}


def _coded(place, **fields):
    return {"kind": "attack", "place": place, **fields}


QUETTA_CODED = _coded({"name": "Quetta", "country": "PK"}, attack_type="suicide_bombing", killed={"best": 72},
                      claimed_by=["Jamaat-ul-Ahrar", "Daesh"])
KABUL_CODED = _coded({"name": "Kabul", "country": "AF"}, date={"start": "2016-07-23", "end": "2016-07-23"},
                     claimed_by=["ISKP"])


def test_scoring_a_right_coding_scores_one():
    result = score_document("r.txt", GOLD, {"incidents": [QUETTA_CODED, KABUL_CODED],
                                            "relations": [{"subject": "Islamic State", "relation": "allied_with",
                                                           "object": "JuA"}]})
    assert (result.found, result.matched, result.fields_ok, result.fields_all) == (2, 2, 5, 5)
    assert result.relations_matched == 1 and result.misses() == []
    unasked = score_document("r.txt", GOLD, {"incidents": [QUETTA_CODED, KABUL_CODED]})  # the web form's kind
    assert unasked.relations_gold == 0 and unasked.misses() == []
    missed = score_document("r.txt", GOLD, {"incidents": [QUETTA_CODED, KABUL_CODED], "relations": []})
    assert missed.misses() == ["missing relation: Islamic State allied with Jamaat-ul-Ahrar"]


def test_scoring_an_extra_incident_lowers_precision_only():
    extra = _coded({"name": "Peshawar", "country": "PK"})
    result = score({"documents": {"r.txt": GOLD}}, {"r.txt": {"incidents": [QUETTA_CODED, KABUL_CODED, extra]}})
    assert result.recall == 1.0 and result.precision == pytest.approx(2 / 3) and result.fields == 1.0
    assert "not in the gold: attack at Peshawar (PK)" in result.documents[0].misses()


def test_scoring_two_claimants_are_both_required():
    one = {**QUETTA_CODED, "claimed_by": ["Jamaat-ul-Ahrar"]}
    result = score_document("r.txt", GOLD, {"incidents": [one, KABUL_CODED]})
    assert result.fields_ok == 4
    assert "attack at Quetta (PK): missing claim by Islamic State" in result.misses()
    both_and_more = {**QUETTA_CODED, "claimed_by": ["Jamaat-ul-Ahrar", "Islamic State", "TTP"]}
    result = score_document("r.txt", GOLD, {"incidents": [both_and_more, KABUL_CODED]})
    assert "attack at Quetta (PK): claim by Tehrik-i-Taliban Pakistan is not in the gold" in result.misses()


def test_scoring_a_branch_stands_for_its_parent_but_not_the_reverse():
    gold_iskp = {"incidents": {"required": [{**KABUL, "claimed_by": ["Islamic State Khorasan Province"]}]}}
    parent_coded = {**KABUL_CODED, "claimed_by": ["Islamic State"]}
    assert score_document("r.txt", gold_iskp, {"incidents": [parent_coded]}).fields_ok == 1  # the date only
    assert score_document("r.txt", gold_iskp, {"incidents": [KABUL_CODED]}).fields_ok == 2
    # ISKP and its parent both coded where the gold names the parent: still the one group
    both = {**KABUL_CODED, "claimed_by": ["ISKP", "Islamic State"]}
    assert score_document("r.txt", GOLD | {"incidents": {"required": [KABUL]}}, {"incidents": [both]}).fields_ok == 2


def test_scoring_explains_figures_places_and_dates_in_words():
    wrong = {**QUETTA_CODED, "killed": {"best": 70}}
    elsewhere = _coded({"name": "Pul-e-Alam", "country": "AF"})
    result = score_document("r.txt", GOLD, {"incidents": [wrong, elsewhere]})
    misses = result.misses()
    assert "attack at Quetta (PK): killed: you coded 70, gold 72 (at least)" in misses
    assert "place: you coded Pul-e-Alam (AF), the attack was in Kabul (AF)" in misses
    late = {**KABUL_CODED, "date": {"start": "2016-08-02", "end": "2016-08-02"}}
    assert ("attack at Kabul (AF): date: you coded 2016-08-02, gold July 2016"
            in score_document("r.txt", GOLD, {"incidents": [QUETTA_CODED, late]}).misses())


def test_scoring_pairs_optimally_not_greedily():
    """A country-level gold attack must not take the coded item the city-level one needs."""
    country_level = {"kind": "attack", "place": {"country": "PK"}, "killed": {"value": 5}}
    city_level = {"kind": "attack", "place": {"city": "Quetta", "country": "PK"}, "killed": {"value": 5}}
    gold = {"incidents": {"required": [country_level, city_level]}}
    coded = [_coded({"name": "Quetta", "country": "PK"}, killed={"best": 5}),
             _coded({"name": "Lahore", "country": "PK"}, killed={"best": 5})]
    result = score_document("r.txt", gold, {"incidents": coded})
    assert result.found == 2 and result.fields_ok == 2


def test_scoring_victim_categories_when_the_gold_gives_them():
    gold = {"incidents": {"required": [{**KABUL, "victims": {"killed": {"civilians": {"value": 24}}}}]}}
    coded = {**KABUL_CODED, "victims": {"killed": {"civilians": {"best": 20}}}}
    result = score_document("r.txt", gold, {"incidents": [coded]})
    assert result.field_counts()["victims"] == [0, 1]
    assert result.fields_all == 2  # victims are scored beside the shared scorer's fields, not among them
    assert "attack at Kabul (AF): civilians killed: you coded 20, gold 24" in result.misses()


def test_scoring_a_missing_coding_finds_nothing():
    result = score({"documents": {"r.txt": GOLD}}, {})
    assert result.recall == 0.0 and result.precision == 0.0 and not result.documents[0].has_coding


@pytest.mark.parametrize("coding, problem", [
    ([], "a coding is a JSON object"),
    ({"incidents": {}}, "incidents must be a list"),
    ({"incidents": ["x"]}, "incidents item 1 must be an object"),
    ({"incidents": [{"place": "Quetta"}]}, "place must be an object"),
    ({"incidents": [{"killed": {"best": "many"}}]}, "killed.best must be a number"),
    ({"incidents": [{"claimed_by": "IS"}]}, "claimed_by must be a list of names"),
])
def test_scoring_refuses_a_coding_of_the_wrong_shape(coding, problem):
    with pytest.raises(BadInput, match=re.escape(problem)):
        check_coding(coding, "upload.json")


def test_score_command_names_bad_files_and_scores_the_rest(tmp_path):
    gold = tmp_path / "gold.yaml"
    gold.write_text(yaml.safe_dump({"documents": {"a.txt": GOLD, "b.txt": GOLD}}))
    pred = tmp_path / "pred"
    pred.mkdir()
    (pred / "a.json").write_text("{not json")
    (pred / "b.json").write_text(json.dumps({"incidents": [QUETTA_CODED, KABUL_CODED]}))
    result = run_jirga("score", "--gold", str(gold), "--pred", str(pred))
    assert result.returncode == 1
    assert "a.json: not JSON" in result.stderr and "Traceback" not in result.stderr
    assert "b.txt: found 2/2, matched 2/2 coded, fields 5/5" in result.stdout
    with pytest.raises(BadInput, match="documents"):
        check_gold({"docs": {}}, "gold.yaml")
    (tmp_path / "bad.yaml").write_text("documents: [1, 2")
    bad = run_jirga("score", "--gold", str(tmp_path / "bad.yaml"), "--pred", str(pred))
    assert bad.returncode == 2 and "not YAML" in bad.stderr
