"""The training commands: `jirga score` (any coding against gold), and the exercises built on it."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jirga.cli.output import err, terminal_json, terminal_text


def add_commands(commands) -> None:
    score = commands.add_parser("score", help="score codings (a trainee's, an analyst's, the extractor's) against "
                                              "gold, per document and per field, each miss explained")
    score.add_argument("--gold", required=True, type=Path, help="a gold file (YAML; see docs/training.md)")
    score.add_argument("--pred", required=True, type=Path, help="a folder of <report>.json codings, one per report")
    score.add_argument("--format", choices=["table", "json"], default="table")
    score.set_defaults(run=run_score)


def _console() -> Console:
    return Console(width=max(Console().width, 120), highlight=False)


def print_score(result, out: Console | None = None) -> None:
    """Per document its counts and misses, then the per-field table and the closing line."""
    out = out or _console()
    for document in result.documents:
        note = "" if document.has_coding else " (no coding)"
        out.print(escape(terminal_text(
            f"{document.name}: found {document.found}/{document.required}, matched {document.matched}/"
            f"{document.coded} coded, fields {document.fields_ok}/{document.fields_all}{note}", one_line=True)))
        for miss in document.misses():
            out.print("  " + escape(terminal_text(miss, one_line=True)))
    table = Table("field", "right", "asked", "share", title="per field (paired required items)")
    for name, (ok, asked) in sorted(result.field_counts().items()):
        table.add_row(name, str(ok), str(asked), f"{ok / asked:.2f}" if asked else "")
    relations = (result.total("relations_matched"), result.total("relations_gold"))
    table.add_row("relations", str(relations[0]), str(relations[1]),
                  f"{relations[0] / relations[1]:.2f}" if relations[1] else "")
    out.print(table)
    out.print(f"score: recall={result.recall:.2f} precision={result.precision:.2f} fields={result.fields:.2f}")


def run_score(args: argparse.Namespace) -> int:
    from jirga.errors import BadInput
    from jirga.train.coding import read_codings
    from jirga.train.gold import read_gold
    from jirga.train.scoring import score

    gold = read_gold(args.gold)
    if not args.pred.is_dir():
        raise BadInput(f"--pred {args.pred}: not a folder of <report>.json codings")
    codings, problems = read_codings(args.pred, list(gold["documents"]))
    for problem in problems:
        err.print(f"jirga score: {escape(terminal_text(problem, one_line=True))}", soft_wrap=True)
    result = score(gold, codings)
    if args.format == "json":
        print(terminal_json(result.as_dict(), indent=2))
    else:
        print_score(result)
    return 1 if problems else 0
