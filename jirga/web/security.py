"""What every response and every request goes through before any route: the Host check and the security headers.

- **Host**: a request must name one of the hosts this app answers as (loopback names, the address `jirga serve`
  listens on, and those given with `--allowed-host` or JIRGA_ALLOWED_HOSTS). Otherwise a page on another site could
  point its own domain at 127.0.0.1 (DNS rebinding) and, being then "same origin", drive the app, which in a store
  without users means acting as its admin.
- **Headers**: a Content-Security-Policy that lets only this site's own script and style sheet run (so text stored
  from a report can never become script), no framing, no MIME sniffing, no Referer sent to other sites, and no caching
  of pages or API answers, which hold marked data (TLP), by the browser or a proxy.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_HOSTS_ENV = "JIRGA_ALLOWED_HOSTS"  # comma-separated host names or addresses
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
ANY_ADDRESS = ("0.0.0.0", "::", "")  # listening everywhere names no host a browser would use

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",  # frame-ancestors, for browsers that predate it
    "referrer-policy": "same-origin",  # not no-referrer: with it, browsers send "Origin: null" on our own forms
    "cross-origin-opener-policy": "same-origin",
}


def host_name(host: str) -> str:
    """The name of a Host header or address without its port, lower case; IPv6 addresses without brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def allowed_hosts(extra: Iterable[str] = ()) -> frozenset[str]:
    """Loopback names, `extra` and JIRGA_ALLOWED_HOSTS; an address that listens everywhere adds nothing."""
    configured = os.environ.get(ALLOWED_HOSTS_ENV, "").split(",")
    names = {host_name(name) for name in (*LOOPBACK_HOSTS, *extra, *configured)}
    return frozenset(names - set(ANY_ADDRESS))


class Guard:
    """ASGI middleware: refuse a request for a host not allowed (400); add the security headers to every answer."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        if host_name(host) not in self.hosts:
            refusal = PlainTextResponse(
                f"this server does not answer as {host[:100]!r} (jirga serve --allowed-host adds a name)",
                status_code=400, headers=HEADERS)
            await refusal(scope, receive, send)
            return
        cached = scope["path"].startswith("/static/")  # the package's own script and style sheet, nothing marked

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                added = [(name.encode(), value.encode()) for name, value in HEADERS.items() if name not in headers]
                if not cached:
                    added.append((b"cache-control", b"no-store"))
                message["headers"] = [(name, value) for name, value in message["headers"]
                                      if cached or name.lower() != b"cache-control"] + added
            await send(message)

        await self.app(scope, receive, with_headers)
