"""The TAXII commands: `jirga collections`, `jirga peer add|list`, `jirga sync pull|push` (docs/sharing.md).

A sync prints a progress line on stderr while it runs (on a terminal only), one line per problem on stderr, and a
summary line per collection on stdout; it exits 1 when the peer refused or sent objects that were not stored.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from jirga.cli.access import _print, identity_options, signed_in
from jirga.cli.output import err, terminal_text
from jirga.cli.share import read_card
from jirga.errors import BadInput

PEER_PASSWORD_ENV = "JIRGA_PEER_PASSWORD"
MAX_REASONS = 20  # refusals printed per collection; the rest are counted


def add_commands(commands) -> None:
    identity = identity_options()
    formats = argparse.ArgumentParser(add_help=False)
    formats.add_argument("--format", choices=["table", "json"], default="table")

    commands.add_parser("collections", parents=[identity, formats],
                        help="your TAXII collections: the open one and one per sharing group") \
        .set_defaults(run=run_collections, command="collections")

    peer = commands.add_parser("peer", help="partner instances to sync with over TAXII") \
        .add_subparsers(dest="peer_command", required=True)
    peer_add = peer.add_parser("add", parents=[identity], help="add a partner's TAXII API root (org admins)")
    peer_add.add_argument("name", help="what to call it in `jirga sync`")
    peer_add.add_argument("url", help="its TAXII API root, such as https://partner.example/taxii2/jirga/")
    peer_add.add_argument("--org", help="the partner organisation (jirga org add): what we pull from it is theirs, "
                                        "and their sharing groups' collections are pushed to them")
    signin = peer_add.add_mutually_exclusive_group(required=True)
    signin.add_argument("--token-file", type=Path, metavar="FILE",
                        help="a file holding the API token the partner gave us")
    signin.add_argument("--user", help=f"sign in with HTTP Basic as this user; the password from ${PEER_PASSWORD_ENV} "
                                       "or a prompt")
    card = peer_add.add_mutually_exclusive_group()
    card.add_argument("--key", metavar="PUBKEY", help="the partner organisation's public key as its `jirga key show` "
                                                      "prints it (the JSON, or a file): registered so that what it "
                                                      "signs verifies (instance admins)")
    card.add_argument("--key-file", type=Path, metavar="FILE", help="the same, read from a file")
    peer_add.set_defaults(run=run_peer_add, command="peer add")
    peer.add_parser("list", parents=[identity, formats], help="your organisation's peers") \
        .set_defaults(run=run_peer_list, command="peer list")

    sync = commands.add_parser("sync", help="pull from and push to a peer's TAXII collections") \
        .add_subparsers(dest="sync_command", required=True)
    pull = sync.add_parser("pull", parents=[identity], help="store what the peer added since the last pull")
    pull.add_argument("name", help="the peer (jirga peer list)")
    pull.add_argument("--collection", metavar="ID", help="only this collection of the peer's")
    pull.add_argument("--into", metavar="ID", help="into this collection of ours (with --collection; by default, "
                                                    "ours of the same id)")
    pull.set_defaults(run=run_sync_pull, command="sync pull")
    push = sync.add_parser("push", parents=[identity], help="send the peer what we added since the last push")
    push.add_argument("name", help="the peer (jirga peer list)")
    push.add_argument("--collection", metavar="ID", help="only this collection of ours")
    push.set_defaults(run=run_sync_push, command="sync push")


def run_collections(args) -> int:
    from jirga.store import taxii

    with signed_in(args) as (store, viewer), store.session() as session:
        rows = [{"id": c.id, "title": c.title, "can_write": c.can_write} for c in taxii.collections(session, viewer)]
    _print(rows, args.format, ["id", "title", "can_write"])
    return 0


def run_peer_add(args) -> int:
    from jirga.share import sync

    if args.token_file:
        try:
            token = args.token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise BadInput(f"--token-file {args.token_file}: cannot read it ({error})") from None
        if not token or "\n" in token:
            raise BadInput(f"--token-file {args.token_file}: it must hold one token, on one line")
        signin = sync.credential(token=token)
    else:
        password = os.environ.get(PEER_PASSWORD_ENV)
        if password is None:
            if not sys.stdin.isatty():
                raise BadInput(f"no password for {args.user} at the peer: set ${PEER_PASSWORD_ENV}")
            password = getpass.getpass(f"password of {args.user} at {args.url}: ")
        signin = sync.credential(user=args.user, password=password)
    key = None
    if args.key is not None or args.key_file is not None:
        key = read_card(args.key, "--key") if args.key is not None else read_card(str(args.key_file), "--key-file",
                                                                                  file_only=True)
    with signed_in(args) as (store, viewer):
        peer = sync.add_peer(store, viewer, args.name, args.url, org=args.org, signin=signin, key=key)
    print(f"peer {peer.id}: {peer.name} at {peer.url}")
    if key is not None:
        owner, kid = sync.key_owner(args.org, key)
        print(f"{owner}: key {kid} registered")
    return 0


def run_peer_list(args) -> int:
    from jirga.share import sync

    with signed_in(args) as (store, viewer):
        rows = [{"id": peer.id, "name": peer.name, "url": peer.url, "organisation": org,
                 "signs in with": _how(peer.token), "pulled up to": _pulled(peer.cursor)}
                for peer, org in sync.list_peers(store, viewer)]
    _print(rows, args.format, ["id", "name", "url", "organisation", "signs in with", "pulled up to"])
    return 0


def _how(token: str | None) -> str:
    signin = json.loads(token) if token else {}
    return "token" if "token" in signin else f"user {signin['user']}" if "user" in signin else "nothing"


def _pulled(cursor: str) -> str:
    pulled = json.loads(cursor or "{}").get("pull", {})
    return max(pulled.values()) if pulled else ""


def run_sync_pull(args) -> int:
    from jirga.share import sync

    return _sync(args, lambda store, viewer, progress: sync.pull(store, viewer, args.name, collection=args.collection,
                                                                  into=args.into, progress=progress))


def run_sync_push(args) -> int:
    from jirga.share import sync

    return _sync(args, lambda store, viewer, progress: sync.push(store, viewer, args.name, collection=args.collection,
                                                                  progress=progress))


def _sync(args, work) -> int:
    """Run a pull or a push with a progress line, then say what it did."""
    verb = args.command
    with signed_in(args) as (store, viewer), Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                                        TimeElapsedColumn(), console=err, transient=True,
                                                        disable=not err.is_terminal) as progress:
        task = progress.add_task(f"{verb} {args.name}", total=None)
        tallies = work(store, viewer, lambda tally: progress.update(task, description=escape(
            terminal_text(f"{verb} {args.name}: {tally.line()}", one_line=True))))
    for tally in tallies:
        for reason in tally.refused[:MAX_REASONS]:
            err.print(f"jirga {verb}: {escape(terminal_text(reason, one_line=True))}", soft_wrap=True)
        if len(tally.refused) > MAX_REASONS:
            err.print(f"jirga {verb}: ... and {len(tally.refused) - MAX_REASONS} more refused", soft_wrap=True)
        print(terminal_text(f"{verb} {args.name}: {tally.line()}", one_line=True))
    return 1 if any(tally.refused for tally in tallies) else 0
