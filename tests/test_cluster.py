"""Ingest on a Dask cluster (issue 24): a real scheduler and two workers, each a process of its own on
127.0.0.1 as on a cluster's hosts; every table the same, byte for byte, as a local run; a worker
killed during a run and every file still read; a scheduler that does not answer is one line, exit 2."""
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

from conftest import CORPUS, ROOT, ingest, read_table

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
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
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


def test_a_worker_killed_during_a_run_loses_no_file(cluster, tmp_path):
    address, workers = cluster
    folder = tmp_path / "in"
    generate(folder, seed=3, n_departments=30, n_years=5, formats=("txt",))  # ~10 s of work
    files = sorted(folder.glob("*.txt"))
    out = tmp_path / "out"
    status = {}
    run = threading.Thread(target=lambda: status.update(code=ingest([folder], out, "--no-cache", "--cluster", address)))
    run.start()
    time.sleep(2)
    assert run.is_alive()  # killed while files are being read
    _kill_worker_process(workers[0].pid)  # its nanny starts another; the files it held run again
    run.join(timeout=300)
    assert status.get("code") == 0
    assert len(read_table(out, "reports")) == len(files)


def _kill_worker_process(nanny_pid: int) -> None:
    """SIGKILL the worker process a `dask worker` (its nanny) runs, as the OOM killer would."""
    children = Path(f"/proc/{nanny_pid}/task/{nanny_pid}/children").read_text().split()
    assert children
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)


def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_2(tmp_path, capsys):
    assert ingest([CORPUS / "101_jinjiang_education_2022.txt"], tmp_path / "out", "--no-cache",
                  "--cluster", f"tcp://127.0.0.1:{_free_port()}") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jixiao: error: no Dask scheduler answers at tcp://127.0.0.1:")
    assert not (tmp_path / "out").exists()
