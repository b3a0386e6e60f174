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


MEDALLION_ROOT = "api1"


@contextmanager
def serving_medallion(folder, collections: list[dict], *, users: dict[str, str] | None = None,
                      page_size: int = 100, start_timeout: float = 30.0) -> Iterator[str]:
    """medallion, OASIS's reference TAXII 2.1 server (Flask, memory backend), in a process of its own on 127.0.0.1,
    configured by JSON files written into `folder`: `collections` are its collection resources (id, title, can_read,
    can_write; objects optional). Yields its API root URL. medallion keeps one app per process, hence the process."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    root = f"{base}/{MEDALLION_ROOT}/"
    made = []
    for collection in collections:
        objects = collection.get("objects", [])
        manifest = [{"id": obj["id"], "date_added": "2020-01-01T00:00:00.000000Z",
                     "version": obj.get("modified", obj.get("created", "2020-01-01T00:00:00.000Z")),
                     "media_type": "application/stix+json;version=2.1"} for obj in objects]
        made.append({"description": "", "media_types": ["application/stix+json;version=2.1"], **collection,
                     "objects": objects, "manifest": manifest})
    data = {"/discovery": {"title": "medallion", "description": "OASIS reference server", "contact": "",
                           "default": root, "api_roots": [root]},
            MEDALLION_ROOT: {"information": {"title": "api1", "description": "", "max_content_length": 10485760,
                                             "versions": ["application/taxii+json;version=2.1"]},
                             "status": [], "collections": made}}
    (folder / "data.json").write_text(json.dumps(data))
    (folder / "config.json").write_text(json.dumps({
        "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                    "filename": str(folder / "data.json")},
        "users": users or {"user": "pass"}, "taxii": {"max_page_size": page_size}}))
    with open(folder / "medallion.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "medallion.scripts.run", "--host", "127.0.0.1", "--port",
                                    str(port), str(folder / "config.json")], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"medallion did not start on port {port}: "
                                       f"{(folder / 'medallion.log').read_text()[-2000:]}") from None
                time.sleep(0.05)
        yield root
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
