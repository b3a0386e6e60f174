"""Every `jirga ...` command shown in README.md and docs/*.md names commands, sub-commands and options that exist.

Each command is parsed in-process by the real parser (`jirga.cli.build_parser()`), never run. A command in a code
block is a full invocation and must parse as it stands (after the few substitutions below). A command in inline
code is often a fragment (`jirga ingest --group NAME`, `jirga show`): it must parse, or, when argparse only
misses a required argument or an option's value, every sub-command, option and choice it names must exist.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from jirga.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Placeholders the docs use, and the sample values they are parsed with. Tokens are replaced whole; the
# `<...>` forms are replaced in the raw text first (the shell would read `<` as a redirection).
TOKEN_SAMPLES = {"FILE": "report.txt", "REPORT": "51", "INCIDENT": "14", "ID": "14", "N": "3", "NAME": "QCCM"}
RAW_SAMPLES = {"<uuid>": "7d3c2a52-5a4e-4a51-9f3e-2c1b0e6f9a10"}
# Code-block languages that hold shell commands.
SHELL_FENCES = {"", "sh", "bash", "shell", "console"}
# Shell tokens that end a jirga command: pipes, redirections, separators, the end of `$(...)`.
SHELL_ENDS = {"|", "||", "&", "&&", ";", "<", ">", ">>", ")"}


@dataclass(frozen=True)
class DocCommand:
    where: str  # file:line
    text: str  # the doc's own text of the command, for the failure message
    argv: tuple[str, ...]  # the arguments after `jirga`
    complete: bool  # from a code block: must parse as it stands


def _alternatives(text: str) -> list[str]:
    """`--format table|json|csv` is three commands: a word with `|` inside it (no spaces) lists alternatives."""
    match = re.search(r"(?<!\S)([^\s|]+(?:\|[^\s|]+)+)(?!\S)", text)
    if not match:
        return [text]
    return [variant for choice in match.group(1).split("|")
            for variant in _alternatives(text[:match.start(1)] + choice + text[match.end(1):])]


def _is_jirga(token: str) -> bool:
    return token == "jirga" or token.endswith("/bin/jirga")


def _commands(text: str) -> list[tuple[str, ...]]:
    """The argument lists of every `jirga` command in a line of shell (comments dropped)."""
    if not re.search(r"(?:^|[\s(/])jirga\s", text):
        return []
    for raw, sample in RAW_SAMPLES.items():
        text = text.replace(raw, sample)
    text = re.sub(r"\[(-[^\]]*)\]", r"\1", text)  # `[--actor bilal]`: an optional part, checked like the rest
    found = []
    for variant in _alternatives(text):
        lexer = shlex.shlex(variant, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        starts = [i for i, token in enumerate(tokens) if _is_jirga(token)]
        for start in starts:
            argv = []
            for token in tokens[start + 1:]:
                if token in SHELL_ENDS or _is_jirga(token):
                    break
                argv.append(TOKEN_SAMPLES.get(token, token))
            found.append(tuple(argv))
    return found


def doc_commands() -> list[DocCommand]:
    found = []
    for path in DOCS:
        lines = path.read_text(encoding="utf-8").splitlines()
        prose = []  # the file with its code blocks blanked, so inline code keeps its line numbers
        fence = None
        continued = ""  # a code line ending in a backslash goes on on the next line
        for number, line in enumerate(lines, 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            stripped = line.strip()
            if stripped.startswith("```"):
                fence = stripped[3:].strip() if fence is None else None
                prose.append("")
                continue
            if fence is not None:
                prose.append("")
                if fence in SHELL_FENCES:
                    if stripped.endswith("\\"):
                        continued += stripped[:-1] + " "
                        continue
                    command, continued = re.sub(r"^\$\s+", "", continued + stripped), ""
                    found += [DocCommand(where, stripped, argv, True) for argv in _commands(command)]
                continue
            prose.append(line)
        text = "\n".join(prose)
        for match in re.finditer(r"`([^`]+)`", text):
            code = " ".join(match.group(1).split())
            if not code.startswith("jirga "):
                continue
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            found += [DocCommand(where, code, argv, False) for argv in _commands(code)]
    return found


def _strict(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """No abbreviated options: the docs must spell every option in full."""
    parser.allow_abbrev = False
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _strict(sub)
    return parser


PARSER = _strict(build_parser())
COMMANDS = doc_commands()


def _parse(argv: tuple[str, ...]) -> str | None:
    """None if the parser takes argv, else argparse's error message."""
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            PARSER.parse_args(list(argv))
    except SystemExit as stop:
        if stop.code not in (0, None):  # 0: --help or --version
            return stderr.getvalue().strip().splitlines()[-1] if stderr.getvalue().strip() else f"exit {stop.code}"
    return None


def _names_exist(argv: tuple[str, ...]) -> str | None:
    """For a fragment: every sub-command, option and option choice it names exists. None if so."""
    parser = PARSER
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        if token.startswith("-") and token != "-":
            name, _, value = token.partition("=")
            action = parser._option_string_actions.get(name)
            if action is None:
                return f"jirga {parser.prog.removeprefix('jirga ')}: no option {name}"
            if action.nargs == 0:
                continue
            if not value and tokens and not tokens[0].startswith("-") and action.nargs in (None, 1, "?"):
                value = tokens.pop(0)
            if value and action.choices is not None and value not in action.choices:
                return f"{parser.prog} {name}: {value!r} is not one of {sorted(action.choices)}"
            continue
        subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subcommands:
            if token not in subcommands[0].choices:
                return f"{parser.prog}: no sub-command {token!r}"
            parser = subcommands[0].choices[token]
    return None


FRAGMENT_ERRORS = ("the following arguments are required", "expected one argument", "expected at least one argument")


def test_the_docs_show_commands():
    """The scan finds the docs' commands (a broken scan would pass every check below by finding none)."""
    assert len(COMMANDS) >= 60
    assert {c.where.split(":")[0] for c in COMMANDS} >= {"README.md", "docs/access-control.md", "docs/store.md"}
    assert ("token", "create", "--name", "nightly", "--expires", "90", "--as", "amina") in {c.argv for c in COMMANDS}


@pytest.mark.parametrize("command", COMMANDS, ids=[f"{c.where} {' '.join(c.argv)}" for c in COMMANDS])
def test_doc_command_parses(command: DocCommand):
    error = _parse(command.argv)
    if error and not command.complete and any(kind in error for kind in FRAGMENT_ERRORS):
        error = _names_exist(command.argv)
    assert error is None, f"{command.where}: `{command.text}`: {error}"


def test_the_check_catches_a_wrong_command():
    """The check itself: a command, option or choice that does not exist fails, in code blocks and inline."""
    assert _parse(("token", "add", "--name", "x"))
    assert _parse(("incidents", "--format", "xml"))
    assert _parse(("ingest", "x", "--publ", "2020-01-01"))  # abbreviations are not accepted
    assert _names_exist(("token", "add"))
    assert _names_exist(("ingest", "--no-such-option"))
    assert _names_exist(("audit", "list", "--format", "xml"))
    assert _names_exist(("ingest", "--group", "QCCM")) is None
    assert _commands('jirga merge 14 37 --reason "..."   jirga split 14 --report 51') == [
        ("merge", "14", "37", "--reason", "..."), ("split", "14", "--report", "51")]
    assert _commands("TOKEN=$(jirga token create --name s | tail -1)  # jirga nothing") == [
        ("token", "create", "--name", "s")]
    assert _commands("jirga incidents --format table|csv") == [("incidents", "--format", "table"),
                                                               ("incidents", "--format", "csv")]


# The package's own help texts, docstrings and pages name commands too (issue 15: `jirga token add`).
SOURCES = sorted(p for p in (ROOT / "jirga").rglob("*") if p.suffix in {".py", ".html"})


def test_sources_name_existing_sub_commands():
    """`jirga GROUP SUB` in the package's text: when GROUP has sub-commands, SUB is one of them."""
    groups = {name: sub for action in PARSER._actions if isinstance(action, argparse._SubParsersAction)
              for name, sub in action.choices.items()
              if any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)}
    wrong = []
    for path in SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for group, sub in re.findall(r"\bjirga (\w+) ([a-z][-a-z]*)", line):
                if group in groups:
                    choices = next(a for a in groups[group]._actions if isinstance(a, argparse._SubParsersAction))
                    if sub not in choices.choices:
                        wrong.append(f"{path.relative_to(ROOT)}:{number}: jirga {group} {sub}")
    assert not wrong, "no such sub-command:\n" + "\n".join(wrong)
