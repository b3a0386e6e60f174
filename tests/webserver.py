"""A real HTTP server for browser tests and benchmarks: uvicorn serving an app on 127.0.0.1 in a background thread.

    with serving(create_app(store=store)) as base_url:
        httpx.get(f"{base_url}/login")
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn


def free_port() -> int:
    """A port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app, *, start_timeout: float = 20.0) -> Iterator[str]:
    """Serve `app` (an ASGI app) until the block ends; yields its base URL, e.g. http://127.0.0.1:41234."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    # uvicorn sets `started` once its socket listens; if it dies on start-up (port taken, app broken) the thread ends.
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(start_timeout)
