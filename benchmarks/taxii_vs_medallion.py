"""How fast does Jirga's TAXII server page through a collection, next to medallion (OASIS's reference server)?

    python benchmarks/taxii_vs_medallion.py [--objects N] [--clients C] [--page P] [--backend sqlite|postgresql|both]
                                            [--medallion-objects M] [--medallion-seconds S]

The same N STIX 2.1 incidents (default 10,000; about 700 bytes each, TLP:GREEN) are served by Jirga (`jirga serve`,
one uvicorn process, over SQLite and, if a server runs on 127.0.0.1:5432, PostgreSQL) and by medallion (its memory
backend, Flask's threaded server), each in a process of its own on 127.0.0.1. C clients (default 8), threads of
this process, each page through the whole collection at once: GET .../objects/?limit=P, then `next` until `more`
is false, with a persistent connection and the server's own credentials (Jirga: an API token; medallion: HTTP
Basic). Printed per server: objects/s over all clients (objects received / wall time), and the p50 and p95 of one
page's request. Targets for Jirga: at least 10,000 objects/s, and p95 under 50 ms.

medallion filters and pages in Python over its whole collection on every first page, and its cost grows with the
square of the collection: at 10,000 objects its first page takes minutes. Its part is therefore measured on a
smaller collection (M objects, default 1,000) and each of its clients stops after S seconds (default 60); the output
says so, and the ratios compare throughput and latency as measured, not at the same collection size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from throwaway import database  # noqa: E402

from jirga.access import Viewer, admin  # noqa: E402
from jirga.access.auth import implicit_admin  # noqa: E402
from jirga.db import open_store  # noqa: E402
from jirga.model.tlp import TLP2_MARKING_IDS  # noqa: E402
from jirga.share import inbox  # noqa: E402
from jirga.store.taxii import OPEN_COLLECTION  # noqa: E402
from tests.webserver import free_port, serving_medallion  # noqa: E402

MEDIA = "application/taxii+json;version=2.1"
TARGET_RATE = 10_000
TARGET_P95_MS = 50.0


def objects(count: int) -> list[dict]:
    """`count` incidents, the same every run."""
    made = []
    for number in range(count):
        made.append({
            "type": "incident", "spec_version": "2.1", "id": f"incident--{uuid.UUID(int=number + 1, version=4)}",
            "created": "2026-01-01T00:00:00.000Z", "modified": f"2026-01-01T00:{number // 1000 % 60:02d}:"
            f"{number % 60:02d}.{number % 1000:03d}Z", "name": f"Attack number {number} in Quetta",
            "description": f"A suicide bombing at a market killed {number % 90} people and injured {number % 150}, "
                           "according to the provincial health department. No group has claimed it so far; the "
                           "police suspect a local faction of a banned organisation." * 2,
            "object_marking_refs": [TLP2_MARKING_IDS["green"]]})
    return made


def page_through(url: str, headers: dict, page: int, deadline: float, latencies: list[float]) -> int:
    """Fetch every page of the collection at `url`; the number of objects received."""
    received, following = 0, None
    with httpx.Client(headers={"Accept": MEDIA, **headers}, timeout=600) as client:
        while time.monotonic() < deadline:
            params = {"limit": page, **({"next": following} if following else {})}
            started = time.perf_counter()
            answer = client.get(url, params=params)
            latencies.append(time.perf_counter() - started)
            answer.raise_for_status()
            envelope = answer.json()
            received += len(envelope.get("objects", []))
            if not envelope.get("more"):
                break
            following = envelope["next"]
    return received


def measure(url: str, headers: dict, clients: int, page: int, seconds: float) -> dict:
    latencies: list[float] = []
    counts = [0] * clients
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        counts[index] = page_through(url, headers, page, deadline, latencies)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"objects": sum(counts), "requests": len(latencies), "seconds": wall, "rate": sum(counts) / wall,
            "p50": statistics.median(ordered) * 1000,
            "p95": ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)] * 1000,
            "cut_short": time.monotonic() >= deadline}


def jirga_run(backend: str, made: list[dict], args) -> dict:
    with database(backend) as url:
        store = open_store(url)
        boss = implicit_admin(store)
        user = admin.add_user(store, boss, "bench", "instance_admin", "benchmark password 1", store.local_org_id())
        viewer = Viewer(user, store.local_org_id(), "instance_admin", "bench")
        token = admin.create_token(store, viewer)[1]
        started = time.perf_counter()
        done = inbox.publish(store, viewer, made, collection_id=OPEN_COLLECTION)
        loaded = time.perf_counter() - started
        store.close()
        assert done.stored == len(made), done.line()
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "jirga.cli", "serve", "--db", url, "--port", str(port),
                                   "--workers", str(args.workers if backend == "postgresql" else 1)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/taxii2/", server)
            result = measure(f"{base}/taxii2/jirga/collections/{OPEN_COLLECTION}/objects/",
                             {"Authorization": f"Bearer {token}"}, args.clients, args.page, 3600)
        finally:
            server.terminate()
            server.wait(10)
        result.update(load_seconds=loaded, size=len(made))
        return result


def _wait(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    sys.exit(f"no server at {url}")


def medallion_run(made: list[dict], args) -> dict:
    collection = str(uuid.uuid4())
    with tempfile.TemporaryDirectory(prefix="medallion-bench-") as folder, serving_medallion(
            folder, [{"id": collection, "title": "bench", "can_read": True, "can_write": False, "objects": made}],
            users={"bench": "bench"}, page_size=args.page) as root:
        result = measure(f"{root}collections/{collection}/objects/", {"Authorization": "Basic YmVuY2g6YmVuY2g="},
                         args.clients, args.page, args.medallion_seconds)
    result.update(size=len(made))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--page", type=int, default=100, help="objects asked per page (limit)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes serving PostgreSQL")
    parser.add_argument("--medallion-objects", type=int, default=1000, help="0: leave medallion out")
    parser.add_argument("--medallion-seconds", type=float, default=60.0)
    args = parser.parse_args()
    made = objects(args.objects)
    size = sum(len(json.dumps(o)) for o in made) / len(made)
    print(f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cores; {args.objects:,} objects of {size:.0f} bytes; {args.clients} clients each paging "
          f"the whole collection, {args.page} objects a page")
    results = {}
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and not _postgres():
            print("jirga postgresql: skipped, no PostgreSQL server on 127.0.0.1:5432")
            continue
        results[f"jirga {backend}"] = jirga_run(backend, made, args)
    if args.medallion_objects:
        results["medallion"] = medallion_run(made[:args.medallion_objects], args)
    failed = False
    for name, result in results.items():
        line = (f"{name:17} {result['size']:>6,} objects: {result['rate']:>9,.0f} objects/s, "
                f"p50 {result['p50']:6.1f} ms,"
                f" p95 {result['p95']:7.1f} ms ({result['requests']:,} pages, {result['objects']:,} objects in "
                f"{result['seconds']:.1f} s)")
        if "load_seconds" in result:
            line += f"; published in {result['load_seconds']:.1f} s"
        if result["cut_short"]:
            line += f"; stopped after {args.medallion_seconds:.0f} s"
        if name.startswith("jirga"):
            ok = result["rate"] >= TARGET_RATE and result["p95"] < TARGET_P95_MS
            failed |= not ok
            line += f"  [{'meets' if ok else 'MISSES'} >= {TARGET_RATE:,}/s and p95 < {TARGET_P95_MS:.0f} ms]"
        print(line)
    if 0 < args.medallion_objects < args.objects:
        print(f"medallion was measured on {args.medallion_objects:,} of the {args.objects:,} objects (its cost grows "
              "with the square of the collection); the ratios below compare the figures as measured")
    theirs = results.get("medallion", {"rate": 0})
    for name, result in results.items():
        if name != "medallion" and theirs["rate"] > 0:
            print(f"{name} / medallion: {result['rate'] / theirs['rate']:,.1f}x the objects/s, "
                  f"p50 {theirs['p50'] / result['p50']:,.1f}x lower, p95 {theirs['p95'] / result['p95']:,.1f}x lower")
    return 1 if failed else 0


def _postgres() -> bool:
    import psycopg

    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


if __name__ == "__main__":
    sys.exit(main())
