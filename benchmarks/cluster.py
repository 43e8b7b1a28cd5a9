"""A Dask LocalCluster against the local process pool (issue 24): the same folder ingested by
`jixiao ingest -j N` and by `jixiao ingest --cluster local:N`, wall time and files per second.

    python benchmarks/cluster.py corpus/large [N]     (`make bench-cluster`, part of `make bench`)

Each command is run three times, in turn, and the fastest of each kept (this VM's times vary by
±10 %); the cluster's time includes starting the LocalCluster and loading the models (once, in the
process its workers are forked from), as a user's run does. Writes the table between the cluster
markers in docs/scale.md.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from doc_blocks import write_block

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
SCALE = ROOT / "docs" / "scale.md"
START, END = "<!-- cluster:start -->", "<!-- cluster:end -->"
ROUNDS = 3


def timed(args: list[str]) -> float:
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-cluster-") as out:
        start = time.perf_counter()
        run = subprocess.run([str(JIXIAO), "ingest", *args, "--out", out, "--no-cache"], capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if run.returncode not in (0, 1):
        raise SystemExit(f"cluster.py: jixiao ingest {' '.join(args)} failed: {run.stderr.strip()[-300:]}")
    return seconds


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "corpus" / "large"
    n = int(argv[1]) if len(argv) > 1 else 2
    files = [p for p in folder.iterdir() if p.suffix in (".txt", ".pdf", ".docx")]
    if not files:
        print(f"cluster.py: no reports in {folder} (run `make corpus-large`)", file=sys.stderr)
        return 2
    best = {"pool": float("inf"), "cluster": float("inf")}
    for _ in range(ROUNDS):
        best["pool"] = min(best["pool"], timed([str(folder), "-j", str(n)]))
        best["cluster"] = min(best["cluster"], timed([str(folder), "--cluster", f"local:{n}"]))
    rows = [("local process pool (`-j %d`)" % n, best["pool"]), ("Dask LocalCluster (`--cluster local:%d`)" % n, best["cluster"])]
    lines = ["| run | files | seconds | files/s | seconds a file, one worker |", "| --- | --- | --- | --- | --- |"]
    for name, seconds in rows:
        lines.append(f"| {name} | {len(files)} | {seconds:.1f} | {len(files) / seconds:.1f} | {n * seconds / len(files):.3f} |")
    lines.append(f"| cluster / pool | | {best['cluster'] / best['pool']:.2f}× | | "
                 f"{n * (best['cluster'] - best['pool']) / len(files) * 1000:+.0f} ms a file |")
    text = "\n".join(lines)
    print(text)
    write_block(START, END, text, "Measured on this machine", doc=SCALE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
