"""The `jirga` command."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from jirga.version import __version__


def _date(value: str) -> dt.date:
    """A publication date: YYYY-MM-DD, between 1900-01-01 and tomorrow (an earlier or later one is a typo, and
    would break the date arithmetic of relative dates)."""
    from jirga.model.checks import check_date

    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None
    try:
        return check_date(date, "the date")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jirga", description="Read reports, extract incidents, verify them with "
                                     "partners and keep one shared picture. Each command has --help.")
    parser.add_argument("--version", action="version", version=f"jirga {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="extract incidents, meetings and relations from text reports")
    extract.add_argument("inputs", nargs="+", type=Path, help="text files or directories of .txt files")
    extract.add_argument("--published", type=_date, help="publication date (YYYY-MM-DD) for relative dates")
    extract.add_argument("--metadata", type=Path,
                         help="CSV with columns file,published[,title]: a publication date per input file")
    extract.add_argument("--out", type=Path, help="write DIR/<stem>.json per input instead of stdout")
    extract.add_argument("--format", choices=["json", "table"], default="json")
    extract.add_argument("--explain", action="store_true",
                         help="say, per event, which sentence opened it and why each later one joined it")
    extract.add_argument("--max-bytes", type=int, default=None, help="refuse files larger than this (10 MB)")
    extract.set_defaults(run=run_extract)

    from jirga.cli import access, assess, fuse, share, store, train
    from jirga.web.serve import add_command as add_serve_command

    store.add_commands(commands, _date)
    fuse.add_commands(commands)
    access.add_commands(commands)
    share.add_commands(commands)
    assess.add_commands(commands)
    train.add_commands(commands)
    add_serve_command(commands)
    return parser


def run_extract(args: argparse.Namespace) -> int:
    from jirga.cli.output import fail, terminal_json
    from jirga.extract import extract
    from jirga.ingest.textfile import DEFAULT_MAX_BYTES, BadInput, expand, read_metadata, read_text
    from jirga.model import serialize

    failed = 0
    results = []
    try:
        metadata = read_metadata(args.metadata) if args.metadata else {}
    except BadInput as error:
        return fail("extract", error, 2)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    for item in expand(args.inputs):
        if isinstance(item, BadInput):
            fail("extract", item, 1)
            failed += 1
            continue
        try:
            report = read_text(item, args.max_bytes or DEFAULT_MAX_BYTES)
        except BadInput as error:
            fail("extract", error, 1)
            failed += 1
            continue
        published = metadata.get(item.name, {}).get("published") or args.published
        try:
            result = serialize.extraction(extract(report.text, published), {"path": str(item)}, explain=args.explain)
        except Exception as error:  # one report the extractor trips on must not end the run: say which
            fail("extract", f"{item}: extraction failed ({type(error).__name__}: {error})", 1)
            failed += 1
            continue
        if args.out:
            (args.out / f"{item.stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        elif args.format == "table":
            from jirga.cli.output import print_extraction

            print_extraction(result, report.text)
        else:
            results.append(result)
    if results:
        if len(results) == 1:
            print(terminal_json(results[0], indent=2))
        else:
            for result in results:
                print(terminal_json(result))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    from jirga.cli.output import exit_code, fail
    from jirga.errors import JirgaError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except JirgaError as error:
        return fail(args.command, error, exit_code(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0

