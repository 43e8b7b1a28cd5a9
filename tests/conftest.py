import csv
import json
import os
import time
from pathlib import Path

import pytest

from extract.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_2630a528c0b63dd5.txt"
SEED_GOLD = json.loads((SHARED / "gold" / "000_2630a528c0b63dd5.json").read_text(encoding="utf-8"))
CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory):
    """The tests' ingests keep their results cache in a folder of their own, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


def files_in(out: Path) -> dict:
    """Every file under out, by its path there, with its bytes."""
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def read_table(out: Path, table: str) -> list[dict]:
    with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def ingest(paths, out: Path, *extra: str) -> int:
    return main(["ingest", *map(str, paths), "--out", str(out), *extra])


@pytest.fixture(scope="session")
def seed_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "out"
    assert ingest([SEED], out) == 0
    return out


@pytest.fixture(scope="session")
def corpus_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "out"
    # The text reports only: corpus/generated/ (make corpus) holds the same reports as PDF and Word.
    assert ingest(sorted(CORPUS.glob("*.txt")), out, "--format", "csv,parquet") == 0
    return out


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """Every corpus report with gold, rendered afresh as PDF, Word, web page and spreadsheet
    (corpus/render.py), its gold beside it."""
    import sys
    sys.path.insert(0, str(CORPUS))
    import render
    out = tmp_path_factory.mktemp("rendered")
    render.render_all(out)
    return out


def fact_keys(result, table: str) -> list[tuple]:
    """A result's rows of a table by the fields that say what they are (not where): to compare the
    same report read from two formats."""
    fields = {
        "sections": ("level", "number", "title", "parent_id"),
        "amounts": ("label", "role", "value_yuan"),
        "rates": ("label", "role", "value_pct"),
        "counts": ("subject", "value", "unit", "approx"),
        "tasks": ("task_no", "name", "goal", "result"),
        "findings": ("kind", "seq", "text"),
        "indicators": ("table_no", "row_no", "level1", "level2", "level3", "target", "actual", "weight", "score", "note"),
        "checks": ("check", "status", "observed"),
    }[table]
    # A layout space where the PDF wrapped a line ("0.6 万亩" at a line end) is not kept: compare without.
    return [tuple(str(row[f]).replace(" ", "") for f in fields) for row in result.tables.get(table, [])]


def assert_gives_its_gold(path: Path, result=None) -> None:
    """The report file (a rendering of a corpus report, its <stem>.gold.json beside it) gives every
    fact of its gold and no other; result: its process_file result, if at hand."""
    from extract.evaluate import score_report
    from extract.pipeline import process_file
    gold = json.loads(path.with_name(f"{path.stem}.gold.json").read_text(encoding="utf-8"))
    score = score_report((result or process_file(str(path))).tables, gold)
    for name, tally in score.tallies.items():
        if name == "counts.subject":  # our gold "what" texts are paraphrases, as for the text files
            assert tally.recall >= 0.8, (path.name, score.problems)
        else:
            assert (tally.fp, tally.fn) == (0, 0), (path.name, name, score.problems)


def corpus_reports() -> list[tuple[Path, dict]]:
    """(report file, gold) for every report in corpus/ that has a gold file beside it."""
    pairs = []
    for gold_path in sorted(CORPUS.glob("*.gold.json")):
        text_path = CORPUS / gold_path.name.replace(".gold.json", ".txt")
        pairs.append((text_path, json.loads(gold_path.read_text(encoding="utf-8"))))
    return pairs


# Processes, as /proc shows them (the tests of workers and clusters that must end with a run).
def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when there is none. The name between parentheses may
    hold spaces and parentheses itself, so the fields are read after the last ')'."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def children_of(pid: int) -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and (_stat(int(entry.name)) or ("", 0))[1] == pid]


def alive(pid: int) -> bool:
    """A zombie is not alive. An orphan is reaped by init, or by this process when it is a subreaper."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def still_alive_after(pids: list[int], seconds: float) -> list[int]:
    """The processes of pids alive after `seconds`, or as soon as none is."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(map(alive, pids)):
        time.sleep(0.1)
    return [pid for pid in pids if alive(pid)]


def descendants_of(pid: int) -> list[int]:
    found, parents = [], [pid]
    while parents:
        children = children_of(parents.pop())
        found += children
        parents += children
    return found
