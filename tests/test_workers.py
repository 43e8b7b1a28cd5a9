"""Issue 17: workers end with the parent however it ends, and results waiting behind a slow file are
bounded."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEED, children_of, files_in, ingest, still_alive_after

from extract import workers
from extract.pipeline import ReportResult


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Enough text reports that two workers are still busy some seconds after the first is written."""
    sys.path.insert(0, str(ROOT / "corpus"))
    from generate import generate
    folder = tmp_path_factory.mktemp("workers") / "in"
    generate(folder, seed=11, n_departments=60, n_years=4, formats=("txt",))
    return folder


def _start_ingest(folder: Path, out: Path, tmp_path: Path, **popen) -> tuple[subprocess.Popen, list[int]]:
    """`jixiao ingest` with two workers, once both workers exist and it has written some texts. Its
    stderr goes to a file (tmp_path/stderr): workers left alive would hold a pipe open for ever."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    with open(tmp_path / "stderr", "w") as stderr:
        run = subprocess.Popen([sys.executable, "-m", "extract", "ingest", str(folder), "--out", str(out),
                                "--workers", "2", "--no-cache"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=stderr, **popen)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = children_of(run.pid)
        if len(children) == 2 and any(out.parent.glob(f".{out.name}.new-*/text/*.txt")):
            break
        time.sleep(0.02)
    assert run.poll() is None, "the run ended before it could be stopped"
    assert len(children) == 2
    return run, children


def test_workers_die_with_a_killed_parent(corpus, tmp_path):
    run, children = _start_ingest(corpus, tmp_path / "out", tmp_path)
    run.kill()
    run.wait()
    assert still_alive_after(children, 5) == []


@pytest.mark.parametrize("signal_number, status, first_words", [
    (signal.SIGTERM, 143, "jixiao: stopped"),         # `timeout`, `docker stop`: to the parent alone
    (signal.SIGINT, 130, "jixiao: interrupted"),      # Ctrl-C: to the whole process group
])
def test_a_stopped_run_ends_its_workers_and_keeps_the_previous_outputs(corpus, tmp_path, signal_number, status,
                                                                        first_words):
    out = tmp_path / "out"
    assert ingest([SEED], out, "--no-cache") == 0
    before = files_in(out)
    run, children = _start_ingest(corpus, out, tmp_path, start_new_session=True)
    if signal_number == signal.SIGINT:
        os.killpg(run.pid, signal.SIGINT)
    else:
        run.send_signal(signal_number)
    stopped = time.monotonic()
    run.wait(timeout=30)
    assert time.monotonic() - stopped < 5
    stderr = (tmp_path / "stderr").read_text()
    assert still_alive_after(children, 5) == []
    assert "Traceback" not in stderr
    assert files_in(out) == before
    assert run.returncode == status
    assert len(stderr.splitlines()) == 1 and stderr.startswith(first_words), stderr


def test_results_waiting_behind_a_slow_file_are_bounded(tmp_path, monkeypatch):
    log = tmp_path / "log"

    def parse(path):  # in a worker: notes when each file starts and when the slow one ends
        with open(log, "a") as f:
            f.write(f"start {path}\n")
        if path == "slow":
            time.sleep(2)
            with open(log, "a") as f:
                f.write("slow done\n")
        return ReportResult(path)
    monkeypatch.setattr(workers, "process_file", parse)
    files = ["slow", *(f"quick {n}" for n in range(30))]
    assert [result.source_path for result in workers.parse_all(files, 2, workers.Limits())] == files
    lines = log.read_text().splitlines()
    # While the slow file ran, the other worker went on only until that many results waited for it.
    started_meanwhile = [line for line in lines[:lines.index("slow done")] if line.startswith("start quick")]
    assert len(started_meanwhile) == 2 * workers.WAITING_PER_WORKER


def test_without_prctl_a_watching_thread_ends_the_workers_of_a_killed_parent(tmp_path, monkeypatch):
    log = tmp_path / "log"

    def parse(path):  # in a worker
        with open(log, "a") as f:
            f.write(f"start {path}\n")
        if path == "slow":
            time.sleep(3600)
        return ReportResult(path)
    monkeypatch.setattr(workers, "PR_SET_PDEATHSIG", -1)  # an option prctl refuses, as where there is no prctl
    monkeypatch.setattr(workers, "process_file", parse)
    parent = os.fork()
    if parent == 0:
        try:
            list(workers.parse_all(["slow", "quick"], 2, workers.Limits()))
        finally:
            os._exit(0)
    # Kill the parent once one worker is busy and the other idle.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (log.exists() and len(log.read_text().splitlines()) == 2):
        time.sleep(0.02)
    time.sleep(0.2)
    children = children_of(parent)
    assert len(children) == 2
    os.kill(parent, signal.SIGKILL)
    os.waitpid(parent, 0)
    assert still_alive_after(children, 5) == []
