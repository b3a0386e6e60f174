"""The sharing commands: key (generate, rotate, show, list, register), export and import (docs/sharing.md)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rich.markup import escape

from jirga.cli.access import _print, identity_options, signed_in
from jirga.cli.output import err, terminal_json, terminal_text
from jirga.errors import BadInput


def add_commands(commands) -> None:
    identity = identity_options()
    key_dir = _key_dir_option()

    key = commands.add_parser("key", help="your organisation's signing key, and partners' public keys") \
        .add_subparsers(dest="key_command", required=True)
    key.add_parser("generate", parents=[identity, key_dir],
                   help="make your organisation's Ed25519 key pair (org admins)") \
        .set_defaults(run=run_key_generate, command="key generate")
    key.add_parser("rotate", parents=[identity, key_dir],
                   help="a new key pair; the old key is retired and still verifies what it signed (org admins)") \
        .set_defaults(run=run_key_rotate, command="key rotate")
    show = key.add_parser("show", parents=[identity], help="print the public key (a JWK) to give partners")
    show.add_argument("--org", help="another organisation's registered key (default: your own)")
    show.set_defaults(run=run_key_show, command="key show")
    listing = key.add_parser("list", parents=[identity], help="every key an organisation has registered")
    listing.add_argument("--org", help="default: your own")
    listing.set_defaults(run=run_key_list, command="key list")
    register = key.add_parser("register", parents=[identity],
                              help="register a partner's public key (instance admins; audited)")
    register.add_argument("org", help="the partner organisation (added if new)")
    register.add_argument("--key", required=True, metavar="FILE_OR_JSON",
                          help="the partner's public key as `jirga key show` prints it: a file, or the JSON itself")
    register.set_defaults(run=run_key_register, command="key register")

    from jirga.cli.assess import filter_options

    export = commands.add_parser(
        "export", parents=[identity, key_dir, filter_options(kind="any", group_alias=False)],
        help="write a signed STIX 2.1 bundle of what an audience may receive (--group or --tlp), or with "
             "--format csv the incidents you may see (the filters of jirga incidents) with ACLED-like columns")
    export.add_argument("--format", choices=["stix", "csv"], default="stix")
    audience = export.add_mutually_exclusive_group()
    audience.add_argument("--group", help="stix: a sharing group: its TLP:CLEAR, GREEN and its own TLP:AMBER")
    audience.add_argument("--tlp", choices=["clear", "green"], help="stix: everyone who may receive this level")
    export.add_argument("--out", type=Path, help="the file to write (csv: default standard output)")
    export.add_argument("--base-url", default="http://127.0.0.1:8000", help="csv: for each incident's link")
    export.set_defaults(run=run_export, command="export")

    share = commands.add_parser("share", help="what leaves this instance, and for whom") \
        .add_subparsers(dest="share_command", required=True)
    preview = share.add_parser("preview", parents=[identity, key_dir],
                               help="exactly what a partner (a sharing group or an organisation) would receive, "
                                    "and why (analysts and above)")
    preview.add_argument("partner", help="a sharing group's or a partner organisation's name")
    preview.add_argument("--format", choices=["table", "json"], default="table",
                         help="json: every object with its fields")
    preview.add_argument("--publish", action="store_true",
                         help="first publish what changed since the last publication, as jirga export does")
    preview.set_defaults(run=run_share_preview, command="share preview")

    receive = commands.add_parser("import", parents=[identity],
                                  help="verify a partner's signed bundle and store what is valid")
    receive.add_argument("bundle", type=Path, help="a STIX 2.1 bundle (jirga export on the partner's instance)")
    receive.add_argument("--group", help="the sharing group it was shared in (needed for TLP:AMBER)")
    receive.set_defaults(run=run_import, command="import")


def _key_dir_option():
    import argparse

    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--key-dir", type=Path, help="where private keys are kept (default: keys/ in the user's "
                                                      "data directory; each file readable by its owner only)")
    return options


def run_key_generate(args) -> int:
    from jirga.share import keys

    with signed_in(args) as (store, viewer):
        made = keys.generate(store, viewer, args.key_dir)
    err.print(f"private key written to {made.path} (mode 600): keep it there, never share it")
    print(f"{made.organisation}: signing key {made.kid}")
    return 0


def run_key_rotate(args) -> int:
    from jirga.share import keys

    with signed_in(args) as (store, viewer):
        made = keys.rotate(store, viewer, args.key_dir)
    err.print(f"private key written to {made.path}; the old one is deleted. Give partners the new public key "
              "(jirga key show): until they register it, they reject what it signs")
    print(f"{made.organisation}: signing key {made.kid}, replacing {made.retired}")
    return 0


def run_key_show(args) -> int:
    from jirga.share import keys

    with signed_in(args) as (store, viewer):
        card = keys.card(store, viewer, args.org)
    print(terminal_json(card, indent=2, sort_keys=True))
    return 0


def run_key_list(args) -> int:
    from jirga.share import keys

    with signed_in(args) as (store, viewer):
        rows = keys.history(store, viewer, args.org)
    for row in rows:
        retired = f"retired {row.retired_at:%Y-%m-%d %H:%M}" if row.retired_at else "current"
        print(f"{row.key_id}  registered {row.created_at:%Y-%m-%d %H:%M}  {retired}")
    return 0


def read_card(value: str, option: str = "--key", *, file_only: bool = False):
    """A public key as `jirga key show` prints it: its JSON, or a file holding it (only a file if `file_only`);
    BadInput naming `option` if it cannot be read."""
    from jirga.share.canonical import loads

    value = value.strip()
    if file_only or not value.startswith("{"):
        try:
            value = Path(value).read_text(encoding="utf-8")[:100_000]
        except (OSError, UnicodeDecodeError) as error:
            what = "not a readable file" if file_only else "neither a key's JSON nor a readable file"
            raise BadInput(f"{option}: {value[:200]!r} is {what} ({error})") from None
    try:
        return loads(value)
    except BadInput as error:
        raise BadInput(f"{option}: {error}") from None


def run_key_register(args) -> int:
    from jirga.share import keys

    jwk = read_card(args.key)
    with signed_in(args) as (store, viewer):
        made = keys.register(store, viewer, args.org, jwk)
    print(f"{made.organisation}: key {made.kid} registered" + (f", replacing {made.retired}" if made.retired else ""))
    return 0


def run_export(args) -> int:
    if args.format == "csv":
        from jirga.cli.assess import run_csv_export

        return run_csv_export(args)
    from jirga.share import audience, bundle_text, publish, shared

    if not (args.group or args.tlp) or args.out is None:
        raise BadInput("a STIX bundle needs its audience (--group GROUP or --tlp clear|green) and --out FILE")
    if any((args.since, args.until, args.country, args.province, args.actor, args.attack_type, args.conflicts,
            args.kind != "any")):
        raise BadInput("a STIX bundle holds everything its audience may receive; the filters apply to --format csv")

    with signed_in(args) as (store, viewer):
        who = audience(store, viewer, group=args.group, tlp=args.tlp)
        published = publish(store, viewer, key_dir=args.key_dir)
        objects = shared(store, viewer, who)
    _write(args.out, bundle_text(objects))
    err.print(published.line())
    print(f"{len(objects)} objects written to {args.out}" if objects else
          f"nothing to share with that audience: {args.out} holds an empty bundle")
    return 0


def run_share_preview(args) -> int:
    from jirga.share import publish
    from jirga.share.preview import preview

    with signed_in(args) as (store, viewer):
        if args.publish:
            err.print(publish(store, viewer, key_dir=args.key_dir).line())
        seen = preview(store, viewer, args.partner)
    if args.format == "json":
        print(terminal_json({"partner": seen.partner, "kind": seen.kind, "receives through": seen.audiences,
                             "objects": [item.row() | {"fields": item.fields} for item in seen.items]}, indent=2))
        return 0
    err.print(escape(terminal_text(f"{seen.kind} {seen.partner} receives through: " + "; ".join(seen.audiences),
                                   one_line=True)), soft_wrap=True)
    rows = [{key: terminal_text(value, one_line=True) for key, value in item.row().items()} for item in seen.items]
    _print(rows, "table", ["type", "id", "title", "marking", "author", "why"])
    print(f"{len(seen.items)} objects" if seen.items else f"nothing: {seen.partner} would receive no object now")
    return 0


def _write(path: Path, text: str) -> None:
    """Written whole or not at all (a bundle cut short on a USB stick is worse than none)."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_import(args) -> int:
    from jirga.access.rules import member_group
    from jirga.share import read_bundle, receive

    try:
        data = args.bundle.read_bytes()
    except OSError as error:
        raise BadInput(f"{args.bundle}: {error.strerror}") from None
    items = read_bundle(data, str(args.bundle))

    def said(where: str, reason: str) -> None:
        err.print(f"jirga import: {terminal_text(where, one_line=True)}: {terminal_text(reason, one_line=True)}",
                  markup=False, highlight=False, soft_wrap=True)

    with signed_in(args) as (store, viewer):
        group = None
        if args.group:
            with store.session() as session:
                group = member_group(session, viewer.org_id, args.group)
        done = receive(store, viewer, items, group=group, on_reject=said)
    for note in done.notes:
        err.print(f"jirga import: {terminal_text(note, one_line=True)}", markup=False, highlight=False,
                  soft_wrap=True)
    print(done.line())
    return 1 if done.rejected else 0
