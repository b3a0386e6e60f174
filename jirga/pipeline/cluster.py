"""Extraction on a Dask cluster: `jirga ingest --cluster local:N` starts a LocalCluster of N worker processes on
this machine; `--cluster tcp://HOST:8786` joins a running scheduler, whose workers need Jirga installed.

The same pure function (`pool.run_partition`) runs on the workers; the store is written here, by the driver, in
job order, so a run on a cluster stores what a run on one core stores. The driver holds a bounded window of
partitions: memory stays flat however many reports stream through.
"""

from __future__ import annotations

import pickle
import re
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from jirga.errors import BadInput
from jirga.pipeline.pool import Job, Result, run_partition

# Jobs per task: about 0.2 s of extraction (6 ms a report), so that the scheduler's cost per task is small next to
# it (16 gave the driver twice the CPU per report), and small enough that the last partitions end close together.
PARTITION = 32
RETRIES = 3  # a partition whose worker died is recomputed; one that keeps killing workers is given up
# Dask's own housekeeping, made rarer: on a machine whose cores all extract, the driver (which runs the scheduler of a
# local cluster) and the workers' monitors take CPU from extraction. Idle, these settings cut the driver's CPU from
# about 24 to 8 ms a second and each worker's from 16 to 3 (docs/scaling.md). Watching memory (which restarts a
# runaway worker) stays on, less often; the workers' statistical profiler and GIL monitor, for a dashboard that a
# local cluster does not open, are off.
QUIET = {"distributed.admin.tick.interval": "500ms", "distributed.admin.system-monitor.interval": "2s",
         "distributed.admin.system-monitor.gil.enabled": False, "distributed.worker.profile.enabled": False,
         "distributed.worker.memory.monitor-interval": "1s"}


def parse_address(value: str) -> tuple[str, int | str]:
    """'local:N' -> ('local', N); 'tcp://host:port' (or 'tls://...') -> ('remote', address); BadInput otherwise."""
    value = value.strip()
    local = re.fullmatch(r"local(?::(\d{1,3}))?", value)
    if local:
        workers = int(local[1] or 2)
        if not 1 <= workers <= 256:
            raise BadInput(f"--cluster {value!r}: a local cluster has 1 to 256 workers")
        return "local", workers
    if re.fullmatch(r"(?:tcp|tls)://[A-Za-z0-9.\-\[\]:]+:\d{1,5}", value):
        return "remote", value
    raise BadInput(f"--cluster {value!r}: give local:N (N worker processes here) or tcp://SCHEDULER:PORT")


class Cluster:
    """A Dask client, and the LocalCluster it started if it started one; a context manager."""

    def __init__(self, address: str):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise BadInput("--cluster needs Dask: pip install 'dask[distributed]' (see docs/scaling.md)") from None
        kind, where = parse_address(address)
        self.local = None
        self._config = dask.config.set(QUIET)  # read by the scheduler, the client and the workers as they start
        try:
            if kind == "local":
                self.local = LocalCluster(n_workers=where, threads_per_worker=1, processes=True,
                                          dashboard_address=None, silence_logs=40)
                self.client = Client(self.local)
            else:
                try:
                    self.client = Client(where, timeout=10)
                except OSError as error:
                    raise BadInput(f"--cluster {address!r}: no scheduler answers there ({error})") from None
            self.client.register_plugin(_warm_up_plugin(), name="jirga-warm-up")
        except BaseException:
            self._config.__exit__(None, None, None)
            raise

    @property
    def dashboard(self) -> str | None:
        """The scheduler's dashboard, for a cluster joined by address (a local one runs without: no web server
        opened on this machine that nobody asked for)."""
        return self.client.dashboard_link if self.local is None else None

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info()["workers"])

    def extract_all(self, jobs: Iterable[Job], window: int | None = None, partition_size: int = PARTITION
                    ) -> Iterator[Result]:
        """Results in job order; at most `window` partitions in flight (default: four per worker)."""
        from distributed import wait

        window = window or max(4 * self.workers, 4)
        pending: deque = deque()
        jobs = iter(jobs)
        while partition := list(islice(jobs, partition_size)):
            pending.append((self.client.submit(run_packed, pack(partition), pure=False, retries=RETRIES), partition))
            if len(pending) >= window:  # wait for the oldest: a slow partition holds the window, never the order
                yield from _results(*pending.popleft())
        wait([future for future, _ in pending])
        while pending:
            yield from _results(*pending.popleft())

    def close(self) -> None:
        self.client.close()
        if self.local is not None:
            self.local.close()
        self._config.__exit__(None, None, None)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def pack(partition: list) -> bytes:
    """A partition (of jobs, or of results) as one block of bytes: Dask sends bytes as they are, where a list of
    objects is serialised item by item, each with its own header, by the driver that also runs the scheduler."""
    return pickle.dumps(partition, protocol=pickle.HIGHEST_PROTOCOL)


def run_packed(jobs: bytes) -> bytes:
    """The cluster task: `pool.run_partition` (extraction, the same pure function), its input and output packed."""
    return pack(run_partition(pickle.loads(jobs)))


def _results(future, partition: list[Job]) -> list[Result]:
    try:
        return pickle.loads(future.result())
    except Exception as error:  # the partition failed RETRIES times (it killed its workers): say so per report
        return [Result(job.key, None, f"extraction failed on the cluster ({type(error).__name__}: {error})")
                for job in partition]


def _warm_up_plugin():
    """Load the reference data and the language model once per worker, before its first partition."""
    from distributed.diagnostics.plugin import WorkerPlugin

    from jirga.pipeline.pool import warm_up

    class WarmUp(WorkerPlugin):
        def setup(self, worker) -> None:
            warm_up()

    return WarmUp()
