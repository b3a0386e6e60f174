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
    _exercise_commands(commands)


def _exercise_commands(commands) -> None:
    from jirga.cli.access import identity_options

    identity = identity_options()
    formats = argparse.ArgumentParser(add_help=False)
    formats.add_argument("--format", choices=["table", "json"], default="table")
    exercise = commands.add_parser("exercise", help="training exercises: reports with gold, coded by trainees and "
                                                    "scored").add_subparsers(dest="exercise_command", required=True)

    def sub(name: str, run, help: str, *parents) -> argparse.ArgumentParser:
        parser = exercise.add_parser(name, parents=[identity, *parents], help=help)
        parser.set_defaults(run=run, command=f"exercise {name}")
        return parser

    create = sub("create", run_exercise_create, "build an exercise from a gold file and its reports, or from the "
                                                 "incidents analysts verified in the store (instructors: analysts "
                                                 "and above)", _store_filters())
    create.add_argument("name", help="a short name: letters, digits, '.', '_', '-'")
    create.add_argument("--gold", type=Path, help="the gold file (YAML)")
    create.add_argument("--reports", type=Path, help="the folder of the reports the gold codes")
    create.add_argument("--from-store", action="store_true", help="instead of --gold and --reports: the reports "
                        "whose incidents analysts verified, with what they verified as the gold")
    create.add_argument("--min-agreed", type=int, default=1, help="with --from-store: a claim is verified when at "
                        "least this many analysts agree with it (default 1) and none disputes it")
    create.add_argument("--scenario", type=Path, help="YAML: title, description and `days` (day number to the "
                                                      "reports released that day)")
    create.add_argument("--title", help="the exercise's title (default: the scenario's, else its name)")
    create.add_argument("--tlp", default="amber", help="its marking (default amber)")
    create.add_argument("--group", help="share it with this sharing group: a joint exercise")
    sub("list", run_exercise_list, "the exercises you may see", formats)
    show = sub("show", run_exercise_show, "an exercise and the reports released so far", formats)
    show.add_argument("name")
    export = sub("export", run_exercise_export, "write an exercise, gold included, as JSON (instructors)")
    export.add_argument("name")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    imported = sub("import", run_exercise_import, "store an exercise exported from this or another instance")
    imported.add_argument("file", type=Path)
    imported.add_argument("--name", help="store it under this name instead of its own")
    imported.add_argument("--tlp", default="amber")
    imported.add_argument("--group", help="share it with this sharing group")
    release = sub("release", run_exercise_release, "release the reports of every day up to DAY to trainees")
    release.add_argument("name")
    release.add_argument("--day", required=True, type=int)
    submit = sub("submit", run_exercise_submit, "submit your coding of reports; see your score and every miss",
                 formats)
    submit.add_argument("name")
    submit.add_argument("codings", nargs="+", type=Path, help="<report>.json files (as `jirga extract` writes "
                                                               "them) or folders of them")
    results = sub("results", run_exercise_results, "every trainee you may see, per report and per field "
                                                   "(instructors see all organisations' trainees)", formats)
    results.add_argument("name")
    results.add_argument("--csv", action="store_true", help="one row per trainee and report, as CSV")
    agree = sub("agreement", run_exercise_agreement, "inter-coder agreement per field among the trainees you may "
                                                     "see", formats)
    agree.add_argument("name")

    between = commands.add_parser("agreement", parents=[identity, formats, _store_filters()],
                                  help="inter-coder agreement per field between two analysts' verified incidents "
                                       "in the store, from what you may see")
    between.add_argument("--between", required=True, dest="first", metavar="ANALYST", help="a username")
    between.add_argument("--and", required=True, dest="second", metavar="ANALYST", help="another username")
    between.set_defaults(run=run_agreement, command="agreement")

    record = commands.add_parser("training", help="personnel training records").add_subparsers(
        dest="training_command", required=True)
    record_cmd = record.add_parser("record", parents=[identity, formats],
                                   help="a user's exercises, scores over time and most missed fields")
    record_cmd.add_argument("--user", help="a user of your organisation (default: yourself)")
    record_cmd.add_argument("--csv", action="store_true", help="every submission as a CSV row")
    record_cmd.set_defaults(run=run_training_record, command="training record")


def _store_filters() -> argparse.ArgumentParser:
    """Which incidents of the store: the filters of `jirga incidents` that training reads."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--from", "--since", dest="since", help="YYYY, YYYY-MM or YYYY-MM-DD")
    options.add_argument("--to", "--until", dest="until", help="YYYY, YYYY-MM or YYYY-MM-DD")
    options.add_argument("--region", "--country", dest="country",
                         help="ISO codes or names of countries, separated by commas (PK,AF)")
    options.add_argument("--actor", help="name, alias or acronym; its provinces and branches are included")
    return options


def _incident_filter(args: argparse.Namespace):
    from jirga.store.queries import IncidentFilter

    return IncidentFilter(actor=args.actor, country=args.country, since=args.since, until=args.until)


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


def _table(rows: list[dict], columns: list[str], title: str = "") -> None:
    table = Table(*columns, title=title or None)
    for row in rows:
        table.add_row(*(escape(terminal_text("" if row.get(c) is None else row[c], one_line=True)) for c in columns))
    _console().print(table)


def _share(ok: int, total: int) -> str:
    return f"{ok}/{total}" if total else "-"


def run_exercise_create(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.errors import BadInput
    from jirga.train import run
    from jirga.train.exercises import build, read_scenario
    from jirga.train.gold import read_gold

    filtered = any(getattr(args, key) for key in ("since", "until", "country", "actor")) or args.min_agreed != 1
    if args.from_store:
        if args.gold or args.reports or args.scenario:
            raise BadInput("--from-store builds the gold from the store: leave out --gold, --reports and --scenario")
        with signed_in(args) as (store, viewer):
            spec = run.create_from_store(store, viewer, args.name, _incident_filter(args), args.min_agreed, args.tlp,
                                         args.group, args.title)
    else:
        if not (args.gold and args.reports):
            raise BadInput("give --gold and --reports (a gold file and its reports' folder), or --from-store")
        if filtered:
            raise BadInput("--from, --to, --region, --actor and --min-agreed choose incidents of the store: "
                           "use them with --from-store")
        if not args.reports.is_dir():
            raise BadInput(f"--reports {args.reports}: not a folder")
        scenario = read_scenario(args.scenario) if args.scenario else None
        spec = build(args.name, read_gold(args.gold), args.reports, scenario, args.title)
        with signed_in(args) as (store, viewer):
            run.create(store, viewer, spec, args.tlp, args.group)
    days = sorted({r.day for r in spec.reports})
    err.print(f"exercise {escape(spec.name)}: {len(spec.reports)} reports, released on day"
              f"{'s' if len(days) > 1 else ''} {', '.join(map(str, days))}")
    return 0


def run_exercise_list(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.store import training

    with signed_in(args) as (store, viewer):
        rows = training.list_exercises(store, viewer)
    if args.format == "json":
        print(terminal_json(rows, indent=2))
    else:
        _table(rows, ["name", "title", "owner", "tlp", "group", "reports", "released_day", "instructor"])
    return 0


def run_exercise_show(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.store import training

    with signed_in(args) as (store, viewer):
        shown = training.show(store, viewer, args.name)
    if args.format == "json":
        print(terminal_json(shown, indent=2))
        return 0
    out = _console()
    out.print(escape(terminal_text(f"{shown['name']}: {shown['title']} (released up to day {shown['released_day']})",
                                   one_line=True)))
    if shown["description"]:
        out.print(escape(terminal_text(shown["description"])))
    _table([{**r, "length": len(r["text"])} for r in shown["reports"]], ["day", "name", "title", "published",
                                                                          "length"])
    return 0


def run_exercise_export(args: argparse.Namespace) -> int:
    import json

    from jirga.cli.access import signed_in
    from jirga.train import run

    with signed_in(args) as (store, viewer):
        bundle = run.export(store, viewer, args.name).as_bundle()
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(terminal_text(text), end="")
    return 0


def run_exercise_import(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from jirga.cli.access import signed_in
    from jirga.errors import BadInput
    from jirga.train import run
    from jirga.train.exercises import check_name, from_bundle

    try:
        if args.file.stat().st_size > 200_000_000:
            raise BadInput(f"{args.file}: larger than 200 MB; not an exported exercise")
        bundle = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{args.file}: cannot be read ({error.__class__.__name__})") from None
    except json.JSONDecodeError as error:
        raise BadInput(f"{args.file}: not JSON ({error.msg} at line {error.lineno})") from None
    spec = from_bundle(bundle, str(args.file))
    if args.name:
        spec = dataclasses.replace(spec, name=check_name(args.name))
    with signed_in(args) as (store, viewer):
        run.create(store, viewer, spec, args.tlp, args.group)
    err.print(f"exercise {escape(spec.name)}: {len(spec.reports)} reports imported")
    return 0


def run_exercise_release(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.store import training

    with signed_in(args) as (store, viewer):
        training.release(store, viewer, args.name, args.day)
    err.print(f"exercise {escape(args.name)}: reports up to day {args.day} released")
    return 0


def _coding_files(paths: list[Path]) -> list[Path]:
    from jirga.errors import BadInput

    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.json"))
        elif path.is_file():
            files.append(path)
        else:
            raise BadInput(f"{path}: no such file or folder")
    return files


def run_exercise_submit(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.errors import BadInput, NotFound
    from jirga.store import training
    from jirga.train import run
    from jirga.train.coding import parse_coding

    failed = 0
    answers = []
    with signed_in(args) as (store, viewer):
        names = {Path(r["name"]).stem: r["name"] for r in training.show(store, viewer, args.name)["reports"]}
        for path in _coding_files(args.codings):
            try:
                if path.stem not in names:
                    raise NotFound(f"{path.name}: exercise {args.name!r} has no released report {path.stem}.*")
                coding = parse_coding(path.read_text(encoding="utf-8"), str(path))
                answers.append(run.submit(store, viewer, args.name, names[path.stem], coding))
            except (BadInput, NotFound, OSError, UnicodeDecodeError) as error:
                err.print(f"jirga exercise submit: {escape(terminal_text(error, one_line=True))}", soft_wrap=True)
                failed += 1
    if args.format == "json":
        print(terminal_json([{"submission": a["submission"], **a["score"]} for a in answers], indent=2))
    else:
        out = _console()
        for answer in answers:
            result = answer["score"]
            out.print(escape(terminal_text(
                f"{result['document']}: found {result['found']}/{result['required']}, matched "
                f"{result['matched']}/{result['coded']} coded, fields {result['fields_ok']}/{result['fields_all']}",
                one_line=True)))
            for miss in result["misses"]:
                out.print("  " + escape(terminal_text(miss, one_line=True)))
    return 1 if failed else 0


def run_exercise_results(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.store import training

    with signed_in(args) as (store, viewer):
        rows = training.results(store, viewer, args.name)
    fields = sorted({f for r in rows for f in r["fields"]})
    if args.csv:
        _write_csv([{**{k: r[k] for k in ("trainee", "organisation", "report", "submitted", "found", "required",
                                          "matched", "coded", "fields_ok", "fields_all")},
                     **{f: _share(*r["fields"].get(f, [0, 0])) for f in fields}} for r in rows])
    elif args.format == "json":
        print(terminal_json(rows, indent=2))
    else:
        _table([{**r, "found": f"{r['found']}/{r['required']}", "matched": f"{r['matched']}/{r['coded']}",
                 **{f: _share(*r["fields"].get(f, [0, 0])) for f in fields}} for r in rows],
               ["trainee", "organisation", "report", "found", "matched", *fields], "per trainee and report")
        totals = {f: [sum(r["fields"].get(f, [0, 0])[i] for r in rows) for i in (0, 1)] for f in fields}
        _table([{"field": f, "right": _share(*totals[f]),
                 "share": f"{totals[f][0] / totals[f][1]:.2f}" if totals[f][1] else ""}
                for f in sorted(fields, key=lambda f: totals[f][0] / max(1, totals[f][1]))],
               ["field", "right", "share"], "the group as a whole, weakest field first")
    return 0


def run_exercise_agreement(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.store import training
    from jirga.train.agreement import agreement

    with signed_in(args) as (store, viewer):
        found = agreement(training.codings(store, viewer, args.name))
    rows = [a.as_dict() for a in found]
    if args.format == "json":
        print(terminal_json(rows, indent=2))
    elif not rows:
        err.print("no report was coded by two trainees or more yet")
    else:
        _table([{**r, "agreement": "" if r["agreement"] is None else f"{r['agreement']:.2f}"} for r in rows],
               ["field", "agreement", "agreed", "compared", "pairs"], "pairwise agreement per field")
    return 0


def run_agreement(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.train import run

    with signed_in(args) as (store, viewer):
        found = run.analyst_agreement(store, viewer, args.first, args.second, _incident_filter(args))
    if args.format == "json":
        print(terminal_json(found.as_dict(), indent=2))
        return 0
    _console().print(escape(terminal_text(
        f"incidents verified by both: {found.both}; only by {found.first}: {found.only_first}; only by "
        f"{found.second}: {found.only_second} (of those you may see)", one_line=True)))
    rows = [a.as_dict() for a in found.fields]
    if rows:
        _table([{**r, "agreement": "" if r["agreement"] is None else f"{r['agreement']:.2f}"} for r in rows],
               ["field", "agreement", "agreed", "compared", "pairs"], "pairwise agreement per field")
    return 0


def _write_csv(rows: list[dict]) -> None:
    import csv
    import sys

    if not rows:
        return
    from jirga.train.record import spreadsheet_safe

    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow(spreadsheet_safe(row))


def run_training_record(args: argparse.Namespace) -> int:
    from jirga.cli.access import signed_in
    from jirga.store import training
    from jirga.train.record import summary

    with signed_in(args) as (store, viewer):
        rows = training.training_record(store, viewer, args.user)
    if args.csv:
        _write_csv([{k: r[k] for k in ("user", "exercise", "report", "submitted", "found", "required", "matched",
                                       "coded", "fields_ok", "fields_all")} for r in rows])
        return 0
    summed = summary(rows)
    if args.format == "json":
        print(terminal_json(summed, indent=2))
        return 0
    out = _console()
    recall = "-" if summed["recall"] is None else f"{summed['recall']:.2f}"
    fields = "-" if summed["fields"] is None else f"{summed['fields']:.2f}"
    out.print(escape(terminal_text(f"{args.user or 'you'}: {summed['submissions']} submissions to "
                                   f"{len(summed['exercises'])} exercises; recall {recall}, fields {fields}",
                                   one_line=True)))
    _table([{**r, **{k: "-" if r[k] is None else f"{r[k]:.2f}" for k in ("recall", "fields")}}
            for r in summed["over_time"]], ["submitted", "exercise", "report", "recall", "fields"], "over time")
    if summed["most_missed"]:
        _table(summed["most_missed"], ["field", "missed", "asked"], "most often missed")
    return 0
