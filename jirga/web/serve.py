"""`jirga serve`: the web app under uvicorn."""

from __future__ import annotations

import ipaddress
import os

from rich.console import Console

err = Console(stderr=True, highlight=False)


def add_command(commands) -> None:
    serve = commands.add_parser("serve", help="serve the web app and the REST API (default http://127.0.0.1:8000)")
    serve.add_argument("--db", help="database path or URL (default: $JIRGA_DATABASE_URL, else the user's store)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (PostgreSQL: several)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="a host name browsers use to reach this server (repeatable; also $JIRGA_ALLOWED_HOSTS, "
                            "comma-separated); loopback names and the --host address are always allowed")
    serve.set_defaults(run=run_serve)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def run_serve(args) -> int:
    import uvicorn

    from jirga.access.auth import has_users
    from jirga.db import StoreError, open_store
    from jirga.web.app import create_app
    from jirga.web.security import ALLOWED_HOSTS_ENV

    try:
        store = open_store(args.db)
    except StoreError as error:
        err.print(f"jirga serve: {error}")
        return 1
    if not has_users(store) and not _loopback(args.host):
        err.print(f"jirga serve: this store has no users yet, so whoever connects would act as its admin; create "
                  f"one (jirga user add) before listening on {args.host}")
        store.close()
        return 2
    # The Host header is checked against these (DNS rebinding); the workers of a factory app read them from the
    # environment.
    hosts = [args.host, *args.allowed_host]
    os.environ[ALLOWED_HOSTS_ENV] = ",".join(filter(None, [os.environ.get(ALLOWED_HOSTS_ENV), *hosts]))
    err.print(f"Jirga on http://{args.host}:{args.port} (API: /api/v1, schema: /api/v1/openapi.json); Ctrl-C stops")
    if args.workers > 1:
        store.close()
        if args.db:
            os.environ["JIRGA_DATABASE_URL"] = args.db
        uvicorn.run("jirga.web.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                    log_level="warning")
    else:
        uvicorn.run(create_app(store=store), host=args.host, port=args.port, log_level="warning")
        store.close()
    return 0
