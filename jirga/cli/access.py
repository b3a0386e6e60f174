"""The access commands: org, user, token, group, audit; and who the CLI acts as.

Every store command acts as a user: the token in JIRGA_TOKEN (it names its user), else `--as USER` (or JIRGA_USER)
with the password in JIRGA_PASSWORD or typed at a prompt; a store with no users yet is used as the local
organisation's implicit instance admin, so `jirga ingest` works on a new store with no set-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.markup import escape
from rich.table import Table

from jirga.cli.output import err, wide
from jirga.errors import BadInput


def identity_options() -> argparse.ArgumentParser:
    """--db and --as, shared by every command that opens the store."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--db", help="database: a SQLite file path or a URL such as postgresql://host/db "
                                      "(default: $JIRGA_DATABASE_URL, else jirga.db in the user's data directory)")
    options.add_argument("--as", dest="as_user", metavar="USER",
                         help="act as this user (default: $JIRGA_USER); password from $JIRGA_PASSWORD or a prompt; "
                              "$JIRGA_TOKEN signs in without it")
    return options


def origin() -> str:
    return f"cli@{socket.gethostname()}"[:200]


def acting_viewer(store, args):
    """Who this command acts as (see the module's docstring); AuthenticationError if that cannot be told."""
    from jirga.access.auth import sign_in

    username = getattr(args, "as_user", None) or os.environ.get("JIRGA_USER") or None
    token = os.environ.get("JIRGA_TOKEN") or None
    password = os.environ.get("JIRGA_PASSWORD")
    if username and not token and password is None and sys.stdin.isatty():
        password = getpass.getpass(f"password for {username}: ")
    return sign_in(store, username=username, password=password, token=token, origin=origin())


def add_commands(commands) -> None:
    identity = identity_options()
    formats = argparse.ArgumentParser(add_help=False)
    formats.add_argument("--format", choices=["table", "json"], default="table")

    org = commands.add_parser("org", help="organisations of this instance").add_subparsers(dest="org_command",
                                                                                          required=True)
    org_add = org.add_parser("add", parents=[identity], help="add a partner organisation (instance admins)")
    org_add.add_argument("name")
    org_add.add_argument("--fingerprint", help="the fingerprint of its signing key")
    org_add.set_defaults(run=run_org_add, command="org add")
    org.add_parser("list", parents=[identity, formats], help="list organisations").set_defaults(
        run=run_org_list, command="org list")

    user = commands.add_parser("user", help="users and their roles").add_subparsers(dest="user_command",
                                                                                   required=True)
    user_add = user.add_parser("add", parents=[identity], help="add a user (org admins: to their organisation)")
    user_add.add_argument("username")
    user_add.add_argument("--role", required=True, choices=["viewer", "analyst", "org_admin", "instance_admin"])
    user_add.add_argument("--org", help="the user's organisation, by name or number (default: your own)")
    user_add.add_argument("--password-stdin", action="store_true",
                          help="read the new user's password from the first line of standard input")
    user_add.set_defaults(run=run_user_add, command="user add")
    user.add_parser("list", parents=[identity, formats], help="list users (org admins: their organisation's)") \
        .set_defaults(run=run_user_list, command="user list")
    user_disable = user.add_parser("disable", parents=[identity], help="stop a user from signing in")
    user_disable.add_argument("username")
    user_disable.set_defaults(run=run_user_disable, command="user disable")

    token = commands.add_parser("token", help="API tokens for scripts").add_subparsers(dest="token_command",
                                                                                       required=True)
    token_create = token.add_parser("create", parents=[identity], help="make a token; it is printed once")
    token_create.add_argument("--user", help="for this user (default: yourself; admins: a user they administer)")
    token_create.add_argument("--name", default="", help="what it is for")
    token_create.add_argument("--expires", type=int, metavar="DAYS", help="valid for this many days (default: "
                                                                          "until revoked)")
    token_create.set_defaults(run=run_token_create, command="token create")
    token_revoke = token.add_parser("revoke", parents=[identity], help="revoke a token by id or prefix")
    token_revoke.add_argument("token")
    token_revoke.set_defaults(run=run_token_revoke, command="token revoke")
    token.add_parser("list", parents=[identity, formats], help="list your tokens (admins: their users' too)") \
        .set_defaults(run=run_token_list, command="token list")

    group = commands.add_parser("group", help="sharing groups").add_subparsers(dest="group_command", required=True)
    group_add = group.add_parser("add", parents=[identity], help="add a sharing group owned by your organisation")
    group_add.add_argument("name")
    group_add.add_argument("--member", nargs="+", default=[], metavar="ORG",
                           help="member organisations (yours is always one)")
    group_add.set_defaults(run=run_group_add, command="group add")
    group.add_parser("list", parents=[identity, formats], help="list the sharing groups you belong to") \
        .set_defaults(run=run_group_list, command="group list")

    audit = commands.add_parser("audit", help="the audit log").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", parents=[identity], help="check the hash chain; exit 1 at the first broken link") \
        .set_defaults(run=run_audit_verify, command="audit verify")
    audit_list = audit.add_parser("list", parents=[identity, formats],
                                  help="newest entries first (org admins: their organisation's)")
    audit_list.add_argument("--limit", type=int, default=50)
    audit_list.add_argument("--actor", help="only this user's entries")
    audit_list.set_defaults(run=run_audit_list, command="audit list")


@contextmanager
def signed_in(args) -> Iterator:
    """The store, and who acts on it."""
    from jirga.db import open_store

    store = open_store(args.db)
    try:
        yield store, acting_viewer(store, args)
    finally:
        store.close()




def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _print(rows: list[dict], fmt: str, columns: list[str]) -> None:
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*(escape("" if row[c] is None else str(row[c])) for c in columns))
    wide(120).print(table)


def _new_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise BadInput("no terminal to ask the password at: give it on standard input with --password-stdin")
    first = getpass.getpass(f"password for {args.username}: ")
    if getpass.getpass("again: ") != first:
        raise BadInput("the two passwords differ")
    return first


def run_org_add(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        org_id = admin.add_org(store, viewer, args.name, args.fingerprint)
    print(f"organisation {org_id}: {args.name}")
    return 0


def run_org_list(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        rows = [{"id": o.id, "name": o.name, "local": o.is_local, "uuid": o.uuid, "fingerprint": o.key_fingerprint}
                for o in admin.list_orgs(store, viewer)]
    _print(rows, args.format, ["id", "name", "local", "uuid", "fingerprint"])
    return 0


def run_user_add(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        password = _new_password(args)
        user_id = admin.add_user(store, viewer, args.username, args.role, password, args.org)
    print(f"user {user_id}: {args.username} ({args.role})")
    return 0


def run_user_list(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        rows = [{"id": u.id, "username": u.username, "organisation": u.org.name, "role": u.role,
                 "disabled": u.disabled, "created": _when(u.created_at)} for u in admin.list_users(store, viewer)]
    _print(rows, args.format, ["id", "username", "organisation", "role", "disabled", "created"])
    return 0


def run_user_disable(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        admin.disable_user(store, viewer, args.username)
    print(f"user {args.username} disabled")
    return 0


def run_token_create(args) -> int:
    from jirga.access import admin

    if args.expires is not None and not 1 <= args.expires <= admin.MAX_TOKEN_DAYS:
        raise BadInput(f"--expires takes a number of days from 1 to {admin.MAX_TOKEN_DAYS}, not {args.expires}")
    with signed_in(args) as (store, viewer):
        token_id, token = admin.create_token(store, viewer, args.user, args.name,
                                             dt.timedelta(days=args.expires) if args.expires else None)
    err.print(f"token {token_id} made; it is shown this once: keep it secret, use it as JIRGA_TOKEN")
    print(token)
    return 0


def run_token_revoke(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        admin.revoke_token(store, viewer, args.token)
    print(f"token {args.token} revoked")
    return 0


def run_token_list(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        rows = [{"id": t.id, "prefix": t.prefix, "user": t.user.username, "name": t.name,
                 "created": _when(t.created_at), "expires": _when(t.expires_at), "revoked": _when(t.revoked_at)}
                for t in admin.list_tokens(store, viewer)]
    _print(rows, args.format, ["id", "prefix", "user", "name", "created", "expires", "revoked"])
    return 0


def run_group_add(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        group_id = admin.add_group(store, viewer, args.name, args.member)
    print(f"sharing group {group_id}: {args.name}")
    return 0


def run_group_list(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        rows = [{"id": g.id, "name": g.name, "members": ", ".join(members)}
                for g, members in admin.list_groups(store, viewer)]
    _print(rows, args.format, ["id", "name", "members"])
    return 0


def run_audit_verify(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        verdict = admin.verify_audit_log(store, viewer)
    if not verdict.ok:
        print(f"audit log broken at entry {verdict.broken_at}: {verdict.reason} ({verdict.entries} entries before "
              "it are intact)")
        return 1
    print(f"audit log intact: {verdict.entries} entries, head {verdict.head_hash}")
    return 0


def run_audit_list(args) -> int:
    from jirga.access import admin

    with signed_in(args) as (store, viewer):
        found = admin.audit_entries(store, viewer, args.limit, args.actor)
    rows = [{"id": e.id, "at": _when(e.at), "actor": e.actor, "token": e.token_id, "org": e.org_id,
             "action": e.action, "target": f"{e.target_type} {e.target_id or ''}".strip(), "result": e.result,
             "from": e.origin, "detail": e.detail} for e in found]
    _print(rows, args.format, ["id", "at", "actor", "org", "action", "target", "result", "from", "detail"])
    return 0
