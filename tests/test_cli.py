"""`jirga extract` as a user runs it: outputs, formats, and one clear line per bad input."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import EXAMPLES, JIRGA_COMMAND, ROOT, run_jirga

REPORT = "PESHAWAR, March 4 - A suicide bomber killed 57 people at a mosque in Peshawar on Friday."


def test_json_on_stdout_for_one_file(tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text(REPORT)
    result = run_jirga("extract", str(path), "--published", "2022-03-05")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (attack,) = data["incidents"]
    assert attack["kind"] == "attack" and attack["killed"]["best"] == 57
    assert attack["date"] == {"start": "2022-03-04", "end": "2022-03-04", "precision": "day", "text": "on Friday"}
    assert data["extractor"]["version"].startswith("jirga-rules/")
    start, end = attack["spans"]["killed"][0]
    assert REPORT[start:end] == "57"


def test_out_dir_gets_one_file_per_input(tmp_path):
    out = tmp_path / "out"
    result = run_jirga("extract", str(EXAMPLES / "reports"), "--metadata", str(EXAMPLES / "reports" / "metadata.csv"),
                       "--out", str(out))
    assert result.returncode == 0, result.stderr
    inputs = sorted(p.stem for p in (EXAMPLES / "reports").glob("*.txt"))
    assert sorted(p.stem for p in out.glob("*.json")) == inputs


def test_several_files_give_json_lines(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(REPORT)
    result = run_jirga("extract", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert [json.loads(line)["document"]["path"] for line in result.stdout.splitlines()] == [
        str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]


def test_table_format_is_readable(tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text(REPORT)
    result = run_jirga("extract", str(path), "--published", "2022-03-05", "--format", "table")
    assert result.returncode == 0 and "Peshawar" in result.stdout and "suicide_bombing" in result.stdout


def test_each_bad_input_is_named_and_the_rest_still_run(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(REPORT)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Quetta caf\xe9".encode("latin-1"))
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    no_text = tmp_path / "pictures"
    no_text.mkdir()
    (no_text / "photo.jpg").write_bytes(b"\xff\xd8")
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out"

    result = run_jirga("extract", str(missing), str(empty), str(binary), str(latin), str(big), str(no_text),
                       str(good), "--out", str(out))

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 6, result.stderr
    expected = [(missing, "no such file"), (empty, "empty file"), (binary, "binary file"),
                (latin, "not valid UTF-8 (byte 0xe9 at offset 10)"), (big, "file too large (52.4 MB"),
                (no_text, "directory holds no text files")]
    for line, (path, problem) in zip(lines, expected, strict=True):
        assert str(path) in line and problem in line, line
    assert "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["good.json"]


def test_bad_published_date_is_refused_clearly(tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text(REPORT)
    result = run_jirga("extract", str(path), "--published", "20-07-2018")
    assert result.returncode == 2
    assert "not a date in YYYY-MM-DD form: '20-07-2018'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_metadata_is_refused_clearly(tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text(REPORT)
    meta = tmp_path / "meta.csv"
    meta.write_text("file,published\nwire.txt,yesterday\n")
    result = run_jirga("extract", str(path), "--metadata", str(meta))
    assert result.returncode == 2
    assert "line 2: published 'yesterday' is not a YYYY-MM-DD date" in result.stderr


def test_the_command_as_a_process_answers_as_it_does_in_process(tmp_path):
    """`python -m jirga.cli` itself, once: every other command test runs main(argv) in the test's process
    (tests.conftest.run_jirga) and counts on the same exit code, stdout and stderr as the process gives."""
    path = tmp_path / "wire.txt"
    path.write_text(REPORT)
    for args in (["extract", str(path), "--published", "2022-03-05"], ["extract", str(path), "--published", "20-07"],
                 ["extract", str(tmp_path / "missing.txt")], ["--version"], ["no-such-command"]):
        process = subprocess.run([*JIRGA_COMMAND, *args], capture_output=True, text=True, cwd=ROOT)
        here = run_jirga(*args)
        assert (here.returncode, here.stdout, here.stderr) == (process.returncode, process.stdout, process.stderr)
