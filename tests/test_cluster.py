"""Extraction on a Dask cluster stores what extraction on one core stores, and survives a worker killed mid-run."""

from __future__ import annotations

import gc
import os
import pickle
import signal
from pathlib import Path

import pytest

from jirga.errors import BadInput
from jirga.pipeline.cluster import PARTITION, Cluster, pack, parse_address, run_packed
from jirga.pipeline.pool import Job, extract_all, run_partition
from tests.conftest import run_jirga

pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")

REPORTS = sorted((Path(__file__).resolve().parents[1] / "examples" / "reports").glob("*.txt"))


def jobs(count: int) -> list[Job]:
    return [Job(path.name, path.read_text(), None, "en") for path in REPORTS[:count]]


@pytest.mark.parametrize("address", ["local:0", "local:999", "local:x", "tcp://", "http://example.org:8786",
                                     "tcp://host:8786; rm -rf /", ""])
def test_a_bad_cluster_address_is_refused_by_name(address):
    with pytest.raises(BadInput, match="--cluster"):
        parse_address(address)


def test_addresses():
    assert parse_address("local:3") == ("local", 3)
    assert parse_address("local") == ("local", 2)
    assert parse_address("tcp://10.0.0.5:8786") == ("remote", "tcp://10.0.0.5:8786")


def test_no_scheduler_there_is_a_clear_error():
    with pytest.raises(BadInput, match="no scheduler answers"):
        Cluster("tcp://127.0.0.1:9")


@pytest.mark.slow  # starts a pool of two extraction processes, twice
def test_the_process_pool_gives_what_one_core_gives_and_leaves_the_collector_as_it_was():
    work = jobs(6)
    alone = list(extract_all(work, workers=1))
    assert list(extract_all(work, workers=2, window=2)) == alone
    assert gc.get_freeze_count() == 0
    stopped = extract_all(work, workers=2, window=2)
    next(stopped)
    stopped.close()  # a run given up half-way
    assert gc.get_freeze_count() == 0


@pytest.fixture(scope="module")
def cluster():
    with Cluster("local:2") as running:
        yield running


def test_the_cluster_gives_what_one_core_gives_in_the_same_order(cluster):
    work = jobs(40)
    assert len(work) > PARTITION  # more than one partition
    alone = list(extract_all(work, workers=1))
    spread = list(extract_all(work, cluster=cluster, window=2))
    assert [r.key for r in spread] == [job.key for job in work]
    assert spread == alone


def test_a_packed_task_is_extraction_itself(cluster):
    work = jobs(3)
    assert pickle.loads(run_packed(pack(work))) == run_partition(work)


def _profiling() -> bool:
    return dask.config.get("distributed.worker.profile.enabled")


def test_the_workers_housekeeping_is_quiet_while_the_cluster_runs_and_only_then(cluster):
    assert set(cluster.client.run(_profiling).values()) == {False}  # the workers started with it
    assert not _profiling()
    with Cluster("local:1"):
        pass
    assert not _profiling()  # the module's cluster still runs: closing another left its settings alone


def test_a_worker_killed_mid_run_loses_and_repeats_nothing(cluster):
    work = jobs(48)
    alone = list(extract_all(work, workers=1))
    pids = list(cluster.client.run(os.getpid).values())

    def feed():
        for index, job in enumerate(work):
            if index == 20:  # partitions of 8 are on the workers: kill one of them outright
                os.kill(pids[0], signal.SIGKILL)
            yield job

    spread = list(cluster.extract_all(feed(), window=4, partition_size=8))
    assert [r.key for r in spread] == [job.key for job in work]
    assert spread == alone


def test_jirga_ingest_on_a_local_cluster(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in REPORTS[:5]:
        (folder / path.name).write_text(path.read_text())
    done = run_jirga("ingest", str(folder), "--db", str(tmp_path / "jirga.db"), "--published", "2024-01-01",
                     "--cluster", "local:1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("5 new") and "extracting on 1 Dask workers" in done.stderr
    refused = run_jirga("ingest", str(folder), "--db", str(tmp_path / "jirga.db"), "--cluster", "udp://x")
    assert refused.returncode == 2 and "give local:N" in refused.stderr
