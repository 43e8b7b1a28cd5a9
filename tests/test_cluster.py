"""Ingest on a Dask cluster (issue 24): a real scheduler and two workers, each a process of its own on
127.0.0.1 as on a cluster's hosts; every table the same, byte for byte, as a local run; a worker
killed during a run and every file still read; a file that kills workers is a row `worker_died` and
the rest is read; Ctrl-C cancels the run's tasks and keeps the previous outputs (and ends every
process of a LocalCluster); a scheduler that does not answer is one line, exit 2."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, descendants_of, files_in, ingest, read_table, still_alive_after

sys.path.insert(0, str(ROOT / "corpus"))
from generate import generate  # noqa: E402

DASK = Path(sys.executable).with_name("dask")
TABLES = ("reports", "sections", "amounts", "rates", "counts", "tasks", "indicators", "findings", "checks",
          "errors", "departments")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(address, worker processes): `dask scheduler` and two `dask worker`s, as on hosts of a cluster."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
           "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0"}
    logs = tmp_path_factory.mktemp("dask-logs")
    scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--dashboard-address", ":0"], env=env, cwd=ROOT,
                                 stdout=open(logs / "scheduler.log", "w"), stderr=subprocess.STDOUT)
    workers = [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                 "--dashboard-address", ":0", "--name", f"w{k}"], env=env, cwd=ROOT,
                                stdout=open(logs / f"worker{k}.log", "w"), stderr=subprocess.STDOUT)
               for k in range(2)]
    from distributed import Client
    with Client(address, timeout=30) as client:
        client.wait_for_workers(2, timeout=60)
    yield address, workers
    for process in [*workers, scheduler]:
        process.send_signal(signal.SIGINT)
    for process in [*workers, scheduler]:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _same_tables(first: Path, second: Path) -> None:
    for table in TABLES:
        assert (first / f"{table}.csv").read_bytes() == (second / f"{table}.csv").read_bytes(), table


def test_a_folder_ingested_on_the_cluster_gives_the_tables_of_a_local_run(cluster, rendered, tmp_path):
    address, _ = cluster
    folder = tmp_path / "in"
    folder.mkdir()
    for path in [*sorted(CORPUS.glob("*.txt")), rendered / "105_huichuan_water_2024.pdf",
                 rendered / "104_qinhuai_audit_2023.docx"]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert ingest([folder], local, "--no-cache") == 1  # the broken file fails, the rest is written
    assert ingest([folder], remote, "--no-cache", "--cluster", address) == 1
    _same_tables(local, remote)
    assert len(read_table(remote, "reports")) == 10


def test_a_shared_cache_is_written_by_the_workers_and_read_by_the_next_run(cluster, rendered, tmp_path, capsys):
    address, _ = cluster
    folder = tmp_path / "in"
    folder.mkdir()
    for path in [*sorted(CORPUS.glob("10[1-3]_*.txt")), rendered / "105_huichuan_water_2024.pdf"]:
        (folder / path.name).write_bytes(path.read_bytes())
    shared = tmp_path / "shared-cache"
    first, second = tmp_path / "first", tmp_path / "second"
    assert ingest([folder], first, "--cache", str(shared), "--cluster", address) == 0
    assert "from the cache" not in capsys.readouterr().out
    assert ingest([folder], second, "--cache", str(shared), "--cluster", address) == 0
    assert "4 unchanged files taken from the cache" in capsys.readouterr().out
    _same_tables(first, second)


def test_a_worker_killed_during_a_run_loses_no_file(cluster, tmp_path):
    address, _ = cluster
    folder = tmp_path / "in"
    generate(folder, seed=3, n_departments=30, n_years=5, formats=("txt",))
    files = sorted(folder.glob("*.txt"))
    out = tmp_path / "out"
    killed = []
    # Its nanny starts another worker; the files it held are run again.
    with _Killer(address, killed, times=1):
        assert ingest([folder], out, "--no-cache", "--cluster", address) == 0
    assert len(killed) == 1  # a worker was killed while it read files of the run
    assert len(read_table(out, "reports")) == len(files)


def test_a_file_that_kills_its_workers_is_a_row_worker_died_and_the_rest_is_read(cluster, tmp_path):
    """The chunk of files holding it kills two workers; its files are then run one a task, and the
    file kills two more: an errors row `worker_died` for it alone."""
    address, _ = cluster
    folder = tmp_path / "in"
    generate(folder, seed=5, n_departments=12, n_years=5, formats=("txt",))
    files = sorted(folder.glob("*.txt"))
    # Long enough (seconds) that its task is seen running; amid the run, so in a chunk of several.
    slow = folder / (files[40].stem + "_long.txt")
    slow.write_text(files[40].read_text(encoding="utf-8") * 100, encoding="utf-8")
    index = sorted(folder.glob("*.txt")).index(slow)
    out = tmp_path / "out"
    killed = []
    with _Killer(address, killed, holding=index):
        assert ingest([folder], out, "--no-cache", "--cluster", address) == 1
    assert len(killed) == 4 and not killed[0].endswith("-1"), killed
    died = [row["source_path"] for row in read_table(out, "errors") if row["error_type"] == "worker_died"]
    assert died == [str(slow)]
    assert len(read_table(out, "reports")) == len(files)


def test_ctrl_c_on_a_cluster_cancels_its_tasks_and_keeps_the_previous_outputs(cluster, tmp_path):
    address, _ = cluster
    folder = tmp_path / "in"
    generate(folder, seed=7, n_departments=30, n_years=5, formats=("txt",))
    out = tmp_path / "out"
    assert ingest([CORPUS / "101_jinjiang_education_2022.txt"], out, "--no-cache") == 0
    before = files_in(out)
    from distributed import Client
    with Client(address, timeout=30) as client:
        run = _start(folder, out, tmp_path, "--cluster", address)
        _wait_for(lambda: _tasks(client, processing=True), run)
        os.killpg(run.pid, signal.SIGINT)
        assert run.wait(timeout=30) == 130
        _wait_for(lambda: not _tasks(client))  # the scheduler holds none of the run's tasks
    stderr = (tmp_path / "stderr").read_text()
    assert len(stderr.splitlines()) == 1 and stderr.startswith("jixiao: interrupted"), stderr
    assert files_in(out) == before


def test_ctrl_c_on_a_local_cluster_ends_every_process_of_it(tmp_path):
    folder = tmp_path / "in"
    generate(folder, seed=9, n_departments=30, n_years=5, formats=("txt",))
    out = tmp_path / "out"
    assert ingest([CORPUS / "101_jinjiang_education_2022.txt"], out, "--no-cache") == 0
    before = files_in(out)
    run = _start(folder, out, tmp_path, "--cluster", "local:2")
    # Two Dask worker processes, each with the limited worker process reading its files, and texts written.
    _wait_for(lambda: len(descendants_of(run.pid)) >= 4 and any(out.parent.glob(f".{out.name}.new-*/text/*.txt")),
              run)
    processes = descendants_of(run.pid)
    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C: to the whole process group
    assert run.wait(timeout=30) == 130
    assert still_alive_after(processes, 10) == []
    stderr = (tmp_path / "stderr").read_text()
    assert len(stderr.splitlines()) == 1 and stderr.startswith("jixiao: interrupted"), stderr
    assert files_in(out) == before


def _start(folder: Path, out: Path, tmp_path: Path, *extra: str) -> subprocess.Popen:
    """`jixiao ingest` in a session of its own; its stderr in tmp_path/stderr."""
    with open(tmp_path / "stderr", "w") as stderr:
        return subprocess.Popen([sys.executable, "-m", "extract", "ingest", str(folder), "--out", str(out),
                                 "--no-cache", *extra], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                                start_new_session=True)


def _wait_for(condition, run: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert run is None or run.poll() is None, "the run ended first"
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.02)


def _tasks(client, processing: bool = False) -> list[str]:
    """Keys of the scheduler's tasks of jixiao runs (with processing, of those running on a worker)."""
    if processing:
        return [key for keys in client.processing().values() for key in keys if str(key).startswith("jixiao-")]
    return client.run_on_scheduler(lambda dask_scheduler: [key for key in dask_scheduler.tasks
                                                           if str(key).startswith("jixiao-")])


class _Killer:
    """While in its block: SIGKILL, as the OOM killer would, the worker process running a task of a
    run (`times` of them), or each worker running a task whose files hold the file at index `holding`
    (its key is jixiao-RUN-FIRST-COUNT). The keys of the tasks whose workers it killed go in killed."""

    def __init__(self, address: str, killed: list[str], times: int | None = None, holding: int | None = None):
        from distributed import Client
        self.client = Client(address, timeout=30)
        self.killed, self.times, self.holding = killed, times, holding
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()
        self.client.close()

    def _wanted(self, key: str) -> bool:
        if self.holding is None:
            return True
        first, count = map(int, key.split("-")[-2:])
        return first <= self.holding < first + count

    def _watch(self) -> None:
        dead = set()
        while not self.done.is_set():
            for worker, keys in self.client.processing().items():
                if self.times is not None and len(self.killed) == self.times:
                    return
                key = next((str(key) for key in keys if str(key).startswith("jixiao-") and self._wanted(str(key))),
                           None)
                if key is None or worker in dead:
                    continue
                try:
                    pid = self.client.run(os.getpid, workers=[worker])[worker]
                except Exception:  # gone since
                    continue
                os.kill(pid, signal.SIGKILL)
                dead.add(worker)
                self.killed.append(key)
            time.sleep(0.02)


def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_2(tmp_path, capsys):
    assert ingest([CORPUS / "101_jinjiang_education_2022.txt"], tmp_path / "out", "--no-cache",
                  "--cluster", f"tcp://127.0.0.1:{_free_port()}") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jixiao: error: no Dask scheduler answers at tcp://127.0.0.1:")
    assert not (tmp_path / "out").exists()


def test_a_task_failing_on_the_cluster_is_one_line_and_the_previous_outputs_stay(tmp_path, monkeypatch, capsys):
    """A worker that cannot run the task (jixiao not installed on its host, say) is not a file's error."""
    from distributed import LocalCluster
    from extract import cluster as cluster_module
    out = tmp_path / "out"
    report = CORPUS / "101_jinjiang_education_2022.txt"
    assert ingest([report], out, "--no-cache") == 0
    before = files_in(out)
    capsys.readouterr()

    def not_installed(*args):
        raise ModuleNotFoundError("No module named 'extract'")
    monkeypatch.setattr(cluster_module, "_parse_chunk", not_installed)  # its workers are threads of this process
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as local:
        assert ingest([report], out, "--no-cache", "--cluster", local.scheduler_address) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["jixiao: error: a task of the run failed on the cluster (ModuleNotFoundError: No module named "
                   "'extract'); every worker needs jixiao installed as here, and the input files at the same "
                   "paths; nothing written"]
    assert files_in(out) == before
