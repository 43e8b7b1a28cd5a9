"""Files parsed in worker processes under limits: a file that takes longer than its time limit is
stopped (its worker killed and replaced) and reported, not waited on; a worker's memory is capped, so
a decompression bomb fails alone; a worker that dies takes only its file with it.

Workers are forked after the parent has loaded the models, so they start at once and share them.
Results come back in the order of the files, whatever order the workers finish in. Workers die with
the parent, however it ends (Ctrl-C, SIGTERM, SIGKILL, the OOM killer).
"""
from __future__ import annotations

import ctypes
import functools
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from .loaders import ocr
from .pipeline import ReportResult, error_row, process_file, warm_up


@dataclass(frozen=True)
class Limits:
    seconds: float = 120.0       # per file
    # per worker (address space): a worker reading a page by OCR holds about 1.2 GB (the models, a
    # page image at ocr.DPI and the detector's maps of it), more address space than that.
    memory_mb: int = 4096
    # …and this much more for each page the file has read by OCR (about 13 s a page of text on one core).
    ocr_page_seconds: float = 60.0


# A worker larger than this (MB) after a file retires and is replaced by a fresh one. With its models
# loaded a worker is about 250 MB and stays so on text and PDF; parsing Word files (lxml) leaves its
# heap fragmented, and it grew by about 0.1 MB a Word file without end, though no object stayed alive
# and malloc_trim gave nothing back.
RETIRE_ABOVE_MB = 280
# …or, forked from a process already larger (a notebook, a test run), this much above its size at the
# start: a worker is not retired after every file for what its parent holds.
RETIRE_GROWTH_MB = 30
# What the OCR engine adds to a worker once loaded (its models and onnxruntime's buffers), measured.
OCR_ENGINE_MB = 400

# Results that are finished but wait in the parent for a slower file before them, at most this many
# per worker: one slow file would otherwise have the parent hold every result after it (1.4 GB seen).
WAITING_PER_WORKER = 4

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

# What became of a worker given a file (see _Worker.collect).
BUSY, KEPT, RETIRED, LOST = "busy", "kept", "retired", "lost"

# Signals a new worker holds off until it has set its own handlers (see _Worker, _leave_parent_behind).
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _rss_bytes() -> int:
    """The worker's resident size now; 0 where /proc is not (macOS): such a worker never retires,
    rather than dying on every file."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _die_with_parent(parent_pid: int) -> None:
    """Have this worker killed when the parent dies, however it dies: by the kernel (Linux prctl),
    else by a thread that watches for the worker being handed to another parent."""
    try:
        watched_by_kernel = ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # no prctl (not Linux)
        watched_by_kernel = False
    if not watched_by_kernel:
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the watch began
        os._exit(1)


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1)
    os._exit(1)


def _leave_parent_behind(parents_connections: list[Connection], parent_pid: int) -> None:
    """In a worker just forked: keep none of the parent's ends of the workers' pipes (with them open
    a worker never sees its parent go), stop with the parent, and leave signals to it."""
    for connection in parents_connections:
        connection.close()
    _die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group: the parent stops the workers, without their tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)  # not the parent's handler (cli.py), which raises
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _serve(connection: Connection, parents_connections: list[Connection], parent_pid: int, memory_mb: int,
           finish: Callable[[ReportResult], None] | None, ocr_pages) -> None:
    """A worker: parse the paths it is sent, one at a time, until it is sent None or has grown
    too much; with each result (finished by `finish`) it says whether it is leaving. It counts the
    pages it reads by OCR in ocr_pages (shared with the parent, which gives the file time for them)."""
    _leave_parent_behind(parents_connections, parent_pid)
    ocr.before_page = functools.partial(_count_page, ocr_pages)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    retire_above = max(RETIRE_ABOVE_MB * 2 ** 20, _rss_bytes() + RETIRE_GROWTH_MB * 2 ** 20)
    while True:
        try:
            path = connection.recv()
        except EOFError:  # the parent is gone
            return
        if path is None:
            return
        result = process_file(path)
        if finish:
            finish(result)
        # The OCR models, once loaded, are part of the worker's size, not growth to retire it for.
        leaving = _rss_bytes() > retire_above + (OCR_ENGINE_MB * 2 ** 20 if ocr.engine.cache_info().currsize else 0)
        connection.send((result, leaving))
        if leaving:
            return


def _count_page(ocr_pages) -> None:
    ocr_pages.value += 1


class _Worker:
    def __init__(self, context, limits: Limits, finish: Callable[[ReportResult], None] | None,
                 others: list[_Worker]):
        self.connection, child = context.Pipe()
        parents_connections = [self.connection, *(worker.connection for worker in others)]
        self.ocr_pages = context.RawValue("q", 0)  # pages read by OCR, of the file it is given
        self.process = context.Process(target=_serve, daemon=True,
                                       args=(child, parents_connections, os.getpid(), limits.memory_mb, finish,
                                             self.ocr_pages))
        # A signal before the worker has set its handlers would end it with a traceback.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        child.close()
        self.job: tuple[int, str, float] | None = None  # (index, path, when it was given)

    def give(self, index: int, path: str) -> None:
        self.job = (index, path, time.monotonic())
        self.ocr_pages.value = 0
        self.connection.send(path)

    def allowed(self, limits: Limits) -> float:
        """The seconds its file may take: --timeout, and more for each page read by OCR so far."""
        return limits.seconds + self.ocr_pages.value * limits.ocr_page_seconds

    def deadline(self, limits: Limits) -> float:
        return self.job[2] + self.allowed(limits)

    def collect(self, limits: Limits, ready: bool) -> tuple[ReportResult | None, str]:
        """After a wait on its connection (ready: it has something to say): its file's result, if
        there is one now, and what became of the worker: BUSY (no result yet), KEPT (ready for the
        next file), RETIRED (grown too large, ended) or LOST (died, or killed at its time limit)."""
        _, path, _ = self.job
        if ready:
            try:
                result, leaving = self.connection.recv()
                self.job = None
                if leaving:
                    self.stop()
                return result, RETIRED if leaving else KEPT
            except (EOFError, OSError):
                result = ReportResult(path, error=error_row(
                    path, "ingest", "worker_died", f"{path}: the worker reading it died (exit code "
                    f"{self.process.exitcode}); the file may need more memory than --max-memory"))
        elif time.monotonic() >= self.deadline(limits):
            result = ReportResult(path, error=error_row(
                path, "ingest", "timeout", f"{path}: stopped after {self.allowed(limits):g} s (--timeout)"))
        else:
            return None, BUSY
        self.stop(kill=True)
        return result, LOST

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
    max_waiting = WAITING_PER_WORKER * n_workers
    context = multiprocessing.get_context("fork")
    pool: list[_Worker] = []
    done: dict[int, ReportResult] = {}
    queue = list(enumerate(files))
    queue.reverse()
    next_out = 0
    try:
        if n_workers > 1:
            warm_up()  # shared by the forked workers; a single worker loads what it needs as it goes
        for _ in range(n_workers):
            pool.append(_Worker(context, limits, finish, pool))
        while next_out < len(files):
            # Never stuck: files go out in order, so the next one to yield is out already, or else
            # every file before it has been yielded and nothing waits.
            for worker in pool:
                if worker.job is None and queue and len(done) < max_waiting:
                    worker.give(*queue.pop())
            busy = [w for w in pool if w.job]
            soonest = min(w.deadline(limits) for w in busy)
            ready = wait([w.connection for w in busy], timeout=max(0.0, soonest - time.monotonic()))
            for i, worker in enumerate(pool):
                if worker.job is None:
                    continue
                index = worker.job[0]
                result, fate = worker.collect(limits, worker.connection in ready)
                if fate == BUSY:
                    continue
                done[index] = result
                if fate == RETIRED:
                    warm_up()  # from now on a replacement starts with the models loaded
                if fate != KEPT:
                    pool[i] = _Worker(context, limits, finish, pool)
            while next_out in done:
                # Counted before it is handed out: a caller that stops after the last file has not
                # stopped early, and the workers end as they should (their clean-up done).
                result = done.pop(next_out)
                next_out += 1
                yield result
    finally:
        # Stopped early (Ctrl-C, SIGTERM, the reader gone): the work left is not wanted, nor a wait.
        stopped_early = next_out < len(files)
        for worker in pool:
            worker.stop(kill=stopped_early or worker.job is not None)
