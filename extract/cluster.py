"""Ingest on a Dask cluster (`jixiao ingest --cluster ADDRESS`): the files go out in small chunks, a
task each, and on a Dask worker each file of a chunk is read alone by a limited worker process as in
a local run (workers._Worker, kept from file to file: --timeout, --max-memory, --max-pages and the
OCR setting hold for each file); the results come back in the order of the files, as from the local
pool, with only a few tasks ahead of the one awaited.

ADDRESS is a running scheduler (`tcp://host:8786`, started with `dask scheduler`, its workers with
`dask worker tcp://host:8786` on each host, every host seeing the input files at the same paths), or
`local[:N]`: a LocalCluster of N worker processes on this machine, to try it out.

A Dask worker that dies (killed, out of memory) has its task run again on another worker by the
scheduler; a task that kills workers more often than the scheduler allows
(`distributed.scheduler.allowed-failures`, which a LocalCluster here sets to 1: a second death) has
its files run again one a task, and a file that does it alone is an `errors` row `worker_died`.
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time
import uuid
from collections import deque
from multiprocessing.connection import wait
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import one_line
from . import loaders
from .loaders import ocr
from .pipeline import ReportResult, error_row, warm_up
from .workers import BUSY, KEPT, Limits, _Worker

# Tasks sent ahead of the one awaited, per worker thread: enough to keep every thread busy, few
# enough that the client never holds much more than the results it is about to hand out.
AHEAD_PER_THREAD = 4
CONNECT_SECONDS = 10
# A Dask task costs about 9 ms of CPU between client, scheduler and worker on a 2-core machine
# (docs/scale.md), a sixth of a text report's parse: so a task takes a few files, as many as make
# about TASK_SECONDS of work at the pace seen so far (a single file while none is known, and for
# scanned files that take seconds each), at most MAX_CHUNK.
TASK_SECONDS = 1.0
MAX_CHUNK = 32

# The scheduler's settings a run counts on (a LocalCluster's here; `dask scheduler` takes them as
# DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1 and …__WORKER_SATURATION=1.0, docs/scale.md): a
# task whose running killed two workers fails (Dask lets three die by default), and a worker holds
# only the tasks it runs, so that only they are blamed when it dies, not those queued behind them.
SCHEDULER_SETTINGS = {"distributed.scheduler.allowed-failures": 1,
                      "distributed.scheduler.worker-saturation": 1.0}


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
        # Its worker processes forked from this one with the models loaded, not started afresh to
        # import and load them each: seconds of a run. They and their nannies (here) keep quiet
        # but for errors: what a run meets is said in its own one-line messages, and tasks cut
        # short by a Ctrl-C are no news.
        warm_up()
        logging.getLogger("distributed").setLevel(logging.ERROR)
        with dask.config.set({**SCHEDULER_SETTINGS, "distributed.worker.multiprocessing-method": "fork"}):
            with LocalCluster(n_workers=int(count or 2), threads_per_worker=1, processes=True,
                              dashboard_address=":0", preload=[__name__]) as cluster, Client(cluster) as client:
                yield client
        return
    try:
        client = Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"no Dask scheduler answers at {address} ({one_line(str(exc), 120)})") from None
    with client:
        yield client


def dask_setup(worker) -> None:
    """Run in each worker process of a LocalCluster started here (a Dask preload, at its start): a
    Ctrl-C is this process's to act on (it closes the cluster), not each worker's to print a
    KeyboardInterrupt of its own; and SIGTERM ends a worker as a process, not as the CLI it was
    forked from."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def parse_on_cluster(files: list[str], client, limits: Limits,
                     finish: Callable[[ReportResult], None] | None = None) -> Iterator[ReportResult]:
    """Each file's ReportResult, in the order of files, parsed on the workers of the cluster whose
    client is given (see connect)."""
    from distributed import KilledWorker
    if not files:
        return
    workers = client.scheduler_info().get("workers", {}).values()
    threads = max(1, sum(worker.get("nthreads", 1) for worker in workers))
    ahead = AHEAD_PER_THREAD * threads
    settings = (ocr.MODE, loaders.MAX_PAGES)
    run = uuid.uuid4().hex[:8]  # task keys unique on a scheduler other runs may share
    pace = _Pace()
    pending: deque[tuple[int, list[str], object]] = deque()  # (index of its first file, files, future)

    def send(first: int, chunk: list[str]) -> tuple[int, list[str], object]:
        return first, chunk, client.submit(_parse_chunk, chunk, limits, settings, finish, pure=False,
                                           key=f"jixiao-{run}-{first}-{len(chunk)}")

    sent = 0
    try:
        while pending or sent < len(files):
            while sent < len(files) and len(pending) < ahead:
                # Towards the end, smaller chunks: every thread finishes at about the same time.
                size = min(pace.chunk_size(), max(1, (len(files) - sent) // (2 * threads)))
                pending.append(send(sent, files[sent:sent + size]))
                sent += len(pending[-1][1])
            first, chunk, future = pending[0]
            try:
                results, seconds = future.result()
            except KilledWorker:
                # Its workers died (twice, where the scheduler allows one death). A file alone is
                # the cause; the files of a chunk are run again one a task, so only the cause is lost.
                pending.popleft()
                if len(chunk) == 1:
                    yield _died(chunk[0])
                else:
                    pending.extendleft(reversed([send(first + k, [path]) for k, path in enumerate(chunk)]))
                continue
            except Exception as exc:  # not a file's error (those are rows): the cluster's own
                raise ClusterError(f"a task of the run failed on the cluster ({type(exc).__name__}: "
                                   f"{one_line(str(exc), 120)}); every worker needs jixiao installed as here, "
                                   "and the input files at the same paths") from None
            pending.popleft()
            pace.add(len(chunk), seconds)
            yield from results
    finally:  # stopped early (Ctrl-C, an error): the tasks not yet run are not wanted
        client.cancel([future for _, _, future in pending])


class _Pace:
    """The seconds a file takes on the workers, from the chunks done so far, and so the files of a task."""

    def __init__(self):
        self.files, self.seconds = 0, 0.0

    def add(self, files: int, seconds: float) -> None:
        self.files += files
        self.seconds += seconds

    def chunk_size(self) -> int:
        if not self.files:
            return 1
        return max(1, min(MAX_CHUNK, int(TASK_SECONDS * self.files / max(self.seconds, 1e-3))))


def _died(path: str) -> ReportResult:
    return ReportResult(path, error=error_row(
        path, "ingest", "worker_died", f"{path}: the Dask workers reading it died (it was run again, and "
        "died again); the file may need more memory than the workers have"))


# This Dask worker's limited worker processes, kept from chunk to chunk as the local pool keeps its
# own (a fresh one a file cost about half a second: the fork, and the models' pages it then copies):
# idle ones, by the run's limits and settings they were started with. A Dask worker with several
# threads runs several chunks at once, each with a limited worker process of its own.
_idle: dict[tuple, list[_Worker]] = {}
_idle_lock = threading.Lock()


def _parse_chunk(paths: list[str], limits: Limits, settings: tuple[str, int],
                 finish) -> tuple[list[ReportResult], float]:
    """On a Dask worker: the files one by one through a limited worker process under the run's
    limits; their results, and the seconds they took."""
    start = time.monotonic()
    ocr.MODE, loaders.MAX_PAGES = settings
    # A Dask worker is a daemon process, and multiprocessing lets a daemon start no process of its
    # own; the limited worker process (killed at its time limit) is a child that dies with this one.
    multiprocessing.current_process().daemon = False
    warm_up()  # once per Dask worker: the limited worker processes share the models
    key = (limits, settings)
    with _idle_lock:
        for other in [k for k in _idle if k != key]:  # left by a run with other limits
            for stale in _idle.pop(other):
                stale.stop()
        worker = _idle[key].pop() if _idle.get(key) else None
    results = []
    for path in paths:
        if worker is None or not worker.process.is_alive():
            worker = _Worker(multiprocessing.get_context("fork"), limits, None, [])
        worker.give(0, path)
        while True:
            ready = wait([worker.connection], timeout=max(0.0, worker.deadline(limits) - time.monotonic()))
            result, fate = worker.collect(limits, bool(ready))
            if fate != BUSY:
                break
        if fate != KEPT:
            worker = None
        if finish is not None:
            finish(result)
        results.append(result)
    if worker is not None:
        with _idle_lock:
            _idle.setdefault(key, []).append(worker)
    return results, time.monotonic() - start
