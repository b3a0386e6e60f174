"""Clue verification commands: assess, merge, split, dismiss, move-claim, undo, history; and the consensus panel of
`jirga show`."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jirga.cli.access import signed_in
from jirga.cli.output import err, terminal_text, wide


def add_commands(commands) -> None:
    from jirga.cli.access import identity_options

    db_parent = identity_options()

    assess = commands.add_parser("assess", parents=[db_parent], help="agree with or dispute a claim")
    assess.add_argument("claim", type=int, help="claim number (see jirga show ID --format json)")
    assess.add_argument("verdict", choices=["agree", "dispute"])
    assess.add_argument("--reason", required=True)
    assess.add_argument("--confidence", choices=["low", "moderate", "high"])
    assess.set_defaults(run=run_assess)

    merge = commands.add_parser("merge", parents=[db_parent], help="merge incident OTHER into incident KEEP")
    merge.add_argument("keep", type=int)
    merge.add_argument("other", type=int)
    merge.add_argument("--reason", required=True)
    merge.set_defaults(run=run_merge)

    split = commands.add_parser("split", parents=[db_parent], help="move some reports' claims to a new incident")
    split.add_argument("incident", type=int)
    split.add_argument("--report", type=int, action="append", required=True, help="a report to split off (repeat)")
    split.add_argument("--reason", required=True)
    split.set_defaults(run=run_split)

    dismiss = commands.add_parser("dismiss", parents=[db_parent],
                                  help="mark an incident as not one: it leaves every list (jirga undo reverses it)")
    dismiss.add_argument("incident", type=int)
    dismiss.add_argument("--reason", required=True)
    dismiss.set_defaults(run=run_dismiss)

    move = commands.add_parser("move-claim", parents=[db_parent],
                               help="move a claim (--event: its whole event) to another incident or a new one")
    move.add_argument("claim", type=int, help="claim number (see jirga show ID --format json)")
    move.add_argument("--to", required=True, type=_incident_or_new, metavar="INCIDENT|new",
                      help="the incident it belongs to, or 'new' for an incident of its own")
    move.add_argument("--event", action="store_true",
                      help="move every claim its report told of the same event (a phantom incident's usual fix)")
    move.add_argument("--reason", required=True)
    move.set_defaults(run=run_move_claim)

    undo = commands.add_parser("undo", parents=[db_parent],
                               help="undo an analyst's merge, split, dismissal or move")
    undo.add_argument("entry", type=int, help="the history entry of the decision (see jirga history)")
    undo.add_argument("--reason", required=True)
    undo.set_defaults(run=run_undo)

    history = commands.add_parser("history", parents=[db_parent], help="how an incident came to be what it is")
    history.add_argument("incident", type=int)
    history.set_defaults(run=run_history)


def _decide(args, action) -> int:
    """Run a decision as the acting user in one transaction (refusals audited by `decide`)."""
    from jirga.store.decisions import decide

    with signed_in(args) as (store, viewer):
        message = decide(store, viewer, args.command, lambda session: action(session, viewer))
    print(message)
    return 0


def run_assess(args) -> int:
    from jirga.store.decisions import assess

    def act(session, viewer) -> str:
        made = assess(session, args.claim, args.verdict, viewer, args.reason, args.confidence)
        return f"claim {args.claim}: {args.verdict} (assessment {made.id}); incident {made.incident_id} recomputed"
    return _decide(args, act)


def run_merge(args) -> int:
    from jirga.store.decisions import merge

    def act(session, viewer) -> str:
        keep, entry = merge(session, args.keep, args.other, viewer, args.reason)
        return (f"incident {args.other} merged into {keep.id} "
                f"(history entry {entry.id}; undo with jirga undo {entry.id})")
    return _decide(args, act)


def run_split(args) -> int:
    from jirga.store.decisions import split

    def act(session, viewer) -> str:
        new, entry = split(session, args.incident, args.report, viewer, args.reason)
        return f"reports {', '.join(map(str, args.report))} split off into incident {new.id} " \
               f"(history entry {entry.id}; undo with jirga undo {entry.id})"
    return _decide(args, act)


def run_dismiss(args) -> int:
    from jirga.store.decisions import dismiss

    def act(session, viewer) -> str:
        _, entry = dismiss(session, args.incident, viewer, args.reason)
        return f"incident {args.incident} dismissed (history entry {entry.id}; jirga undo {entry.id} reverses it)"
    return _decide(args, act)


def _incident_or_new(value: str) -> int | None:
    if value.strip().lower() == "new":
        return None
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is neither an incident number nor 'new'")
    return int(value)


def run_move_claim(args) -> int:
    from jirga.store.decisions import move_claims

    def act(session, viewer) -> str:
        target, entry = move_claims(session, args.claim, args.to, viewer, args.reason, whole_event=args.event)
        what = "claim" if len(entry.detail["claims"]) == 1 else f"{len(entry.detail['claims'])} claims of the event of"
        return (f"{what} {args.claim} moved from incident {entry.incident_id} to {target.id} "
                f"(history entry {entry.id}; jirga undo {entry.id} reverses it)")
    return _decide(args, act)


def run_undo(args) -> int:
    from jirga.store.decisions import undo

    def act(session, viewer) -> str:
        done = undo(session, args.entry, viewer, args.reason)
        return f"history entry {args.entry} undone (entry {done.id})"
    return _decide(args, act)


def run_history(args) -> int:
    from jirga.store.decisions import history

    with signed_in(args) as (store, viewer), store.session() as session:
        entries = history(session, args.incident, viewer)
    if entries is None:
        err.print(f"jirga history: no incident {args.incident}")
        return 1
    table = Table("entry", "when", "who", "what", "detail", "killed (low, best, high)", "reason")
    for entry in entries:
        detail = {k: v for k, v in entry.detail.items() if k not in ("claims", "scores")}
        cells = (str(entry.id), entry.created_at.strftime("%Y-%m-%d %H:%M"), entry.created_by or "machine",
                 entry.action, ", ".join(f"{k}: {v}" for k, v in detail.items()),
                 ", ".join("?" if v is None else str(v) for v in entry.summary["killed"]), entry.reason)
        table.add_row(*(escape(terminal_text(cell)) for cell in cells))
    wide(140).print(table)
    return 0


def print_verification(console: Console, result: dict) -> None:
    for conflict in result["conflicts"]:
        console.print(f"[bold red]sources disagree[/bold red]: {escape(terminal_text(conflict))}")
    for note in result.get("notes", []):  # whose agreement pins a figure; what was superseded
        console.print(f"[bold]note[/bold]: {escape(terminal_text(note))}")
    table = Table("fact", "credibility", "why", title="Admiralty credibility of the consensus")
    for name, grade in result["credibility"].items():
        table.add_row(name, grade["label"], escape(terminal_text(grade["reason"])))
    console.print(table)
