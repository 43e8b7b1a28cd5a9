"""Ingest on a Dask cluster (`jixiao ingest --cluster ADDRESS`): each file is one task, run on a Dask
worker through a limited worker process as a local run's (workers._Worker, kept from file to file:
--timeout, --max-memory, --max-pages and the OCR setting hold there too), and the results come back
in the order of the files, as from the local pool, with only a few tasks ahead of the one awaited.

ADDRESS is a running scheduler (`tcp://host:8786`, started with `dask scheduler`, its workers with
`dask worker tcp://host:8786` on each host, every host seeing the input files at the same paths), or
`local[:N]`: a LocalCluster of N worker processes on this machine, to try it out.

A Dask worker that dies (killed, out of memory) has its file run again on another worker by the
scheduler; a file whose task kills workers more often than the scheduler allows
(`distributed.scheduler.allowed-failures`, which a LocalCluster here sets to 1: a second death) is
an `errors` row `worker_died`.
"""
from __future__ import annotations

import multiprocessing
import time
import uuid
from multiprocessing.connection import wait
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import one_line
from . import loaders
from .loaders import ocr
from .pipeline import ReportResult, error_row, warm_up
from .workers import BUSY, KEPT, Limits, _Worker

# Tasks sent ahead of the result awaited, per worker: enough to keep every worker busy, few enough
# that the client never holds much more than the results it is about to hand out.
AHEAD_PER_WORKER = 4
CONNECT_SECONDS = 10


class ClusterError(Exception):
    """The cluster cannot be used (no scheduler at the address, a malformed address)."""


@contextmanager
def connect(address: str):
    """A client of the cluster at address; for `local[:N]`, of a LocalCluster started (and ended) here."""
    import dask
    from distributed import Client, LocalCluster
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count and not count.isdigit():
            raise ClusterError(f"{address}: write local or local:N (N worker processes)")
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            with LocalCluster(n_workers=int(count or 2), threads_per_worker=1, processes=True,
                              dashboard_address=":0") as cluster, Client(cluster) as client:
                yield client
        return
    try:
        client = Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"no Dask scheduler answers at {address} ({one_line(str(exc), 120)})") from None
    with client:
        yield client


def parse_on_cluster(files: list[str], client, limits: Limits,
                     finish: Callable[[ReportResult], None] | None = None) -> Iterator[ReportResult]:
    """Each file's ReportResult, in the order of files, parsed on the workers of the cluster whose
    client is given (see connect)."""
    if not files:
        return
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    ahead = AHEAD_PER_WORKER * n_workers
    settings = (ocr.MODE, loaders.MAX_PAGES)
    run = uuid.uuid4().hex[:8]  # task keys unique on a scheduler other runs may share
    futures, sent = {}, 0
    try:
        for index, path in enumerate(files):
            while sent < len(files) and sent < index + ahead:
                futures[sent] = client.submit(_parse, files[sent], limits, settings, finish, pure=False,
                                              key=f"jixiao-{run}-{sent}")
                sent += 1
            yield _result(futures.pop(index), path)
    finally:  # stopped early (Ctrl-C, an error): the tasks not yet run are not wanted
        client.cancel(list(futures.values()))


def _result(future, path: str) -> ReportResult:
    from distributed import KilledWorker
    try:
        return future.result()
    except KilledWorker:
        return ReportResult(path, error=error_row(
            path, "ingest", "worker_died", f"{path}: the Dask workers reading it died (it was run again, and "
            "died again); the file may need more memory than the workers have"))


# This Dask worker's limited worker process, kept from file to file as the local pool keeps its
# own (a fresh one a file cost about half a second: the fork, and the models' pages it then copies),
# by the run's limits and settings, which it was started with.
_kept: dict[tuple, _Worker] = {}


def _parse(path: str, limits: Limits, settings: tuple[str, int], finish) -> ReportResult:
    """On a Dask worker: one file through a limited worker process under the run's limits."""
    ocr.MODE, loaders.MAX_PAGES = settings
    # A Dask worker is a daemon process, and multiprocessing lets a daemon start no process of its
    # own; the limited worker process (killed at its time limit) is a child that dies with this one.
    multiprocessing.current_process().daemon = False
    warm_up()  # once per Dask worker: the limited worker processes share the models
    key = (limits, settings)
    worker = _kept.pop(key, None)
    if worker is None or not worker.process.is_alive():
        worker = _Worker(multiprocessing.get_context("fork"), limits, None, [])
    worker.give(0, path)
    while True:
        ready = wait([worker.connection], timeout=max(0.0, worker.deadline(limits) - time.monotonic()))
        result, fate = worker.collect(limits, bool(ready))
        if fate != BUSY:
            break
    if fate == KEPT:
        _kept[key] = worker
    if finish is not None:
        finish(result)
    return result
