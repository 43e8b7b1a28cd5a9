"""Files parsed in worker processes under limits: a file that takes longer than its time limit is
stopped (its worker killed and replaced) and reported, not waited on; a worker's memory is capped, so
a decompression bomb fails alone; a worker that dies takes only its file with it.

Workers are forked after the parent has loaded the models, so they start at once and share them.
Results come back in the order of the files, whatever order the workers finish in.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait

from .pipeline import ReportResult, error_row, process_file, warm_up


@dataclass(frozen=True)
class Limits:
    seconds: float = 120.0       # per file
    memory_mb: int = 2048        # per worker (address space)


# A worker larger than this (MB) after a file retires and is replaced by a fresh one. With its models
# loaded a worker is about 250 MB and stays so on text and PDF; parsing Word files (lxml) leaves its
# heap fragmented, and it grew by about 0.1 MB a Word file without end, though no object stayed alive
# and malloc_trim gave nothing back.
RETIRE_ABOVE_MB = 280


def _rss_bytes() -> int:
    """The worker's resident size now; 0 where /proc is not (macOS): such a worker never retires,
    rather than dying on every file."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _serve(connection, memory_mb: int, finish: Callable[[ReportResult], None] | None) -> None:
    """A worker: parse the paths it is sent, one at a time, until it is sent None or has grown
    too much; with each result (finished by `finish`) it says whether it is leaving."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        path = connection.recv()
        if path is None:
            return
        result = process_file(path)
        if finish:
            finish(result)
        leaving = _rss_bytes() > RETIRE_ABOVE_MB * 2 ** 20
        connection.send((result, leaving))
        if leaving:
            return


class _Worker:
    def __init__(self, context, limits: Limits, finish: Callable[[ReportResult], None] | None):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, limits.memory_mb, finish), daemon=True)
        self.process.start()
        child.close()
        self.job: tuple[int, str, float] | None = None  # (index, path, deadline)

    def give(self, index: int, path: str, seconds: float) -> None:
        self.job = (index, path, time.monotonic() + seconds)
        self.connection.send(path)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                pass
        self.process.join(timeout=5)
        self.connection.close()


def parse_all(files: list[str], workers: int, limits: Limits, finish: Callable[[ReportResult], None] | None = None):
    """Each file's ReportResult, in the order of files. `finish` is done to each result in its worker
    (forked: it need not pickle), work taken off the parent that every result passes through."""
    if not files:
        return
    n_workers = max(1, min(workers, len(files)))
    if n_workers > 1:
        warm_up()  # shared by the forked workers; a single worker loads what it needs as it goes
    context = multiprocessing.get_context("fork")
    pool = [_Worker(context, limits, finish) for _ in range(n_workers)]
    done: dict[int, ReportResult] = {}
    queue = list(enumerate(files))
    queue.reverse()
    next_out = 0
    try:
        while next_out < len(files):
            for worker in pool:
                if worker.job is None and queue:
                    worker.give(*queue.pop(), limits.seconds)
            busy = [w for w in pool if w.job]
            soonest = min(w.job[2] for w in busy)
            ready = wait([w.connection for w in busy], timeout=max(0.0, soonest - time.monotonic()))
            for i, worker in enumerate(pool):
                if worker.job is None:
                    continue
                index, path, deadline = worker.job
                if worker.connection in ready:
                    try:
                        done[index], leaving = worker.connection.recv()
                        worker.job = None
                        if leaving:
                            worker.stop()
                            warm_up()  # from now on a replacement starts with the models loaded
                            pool[i] = _Worker(context, limits, finish)
                        continue
                    except (EOFError, OSError):
                        done[index] = ReportResult(path, error=error_row(
                            path, "ingest", "worker_died", f"{path}: the worker reading it died (exit code "
                            f"{worker.process.exitcode}); the file may need more memory than --max-memory"))
                elif time.monotonic() >= deadline:
                    done[index] = ReportResult(path, error=error_row(
                        path, "ingest", "timeout", f"{path}: stopped after {limits.seconds:g} s (--timeout)"))
                else:
                    continue
                worker.stop(kill=True)
                pool[i] = _Worker(context, limits, finish)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker in pool:
            worker.stop(kill=worker.job is not None)
