"""Scoring extracted tables against gold files (the format of ../shared/gold, see docs/gold-format.md),
or against a JSON-lines file of published-report gold (the format of ../shared/real/gold.jsonl).

Each gold fact is matched at most once by a key built from its values; what is left over on either
side is a miss (false negative) or an extra (false positive). Optional gold facts are never misses,
and extras that match them are forgiven.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .nlp import words as jieba_words

# The output tables eval reads (reports for the metadata).
SCORED_TABLES = ("reports", "sections", "amounts", "rates", "counts", "tasks", "indicators", "findings", "checks")
META_FIELDS = ("title", "department", "region_province", "region_city", "region_district", "year",
               "report_type", "grade", "score")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class ReportScore:
    tallies: dict[str, Tally] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def tally(self, name: str) -> Tally:
        return self.tallies.setdefault(name, Tally())


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value)).normalize()


def _match(score: ReportScore, name: str, gold: list, got: list, optional: list = ()) -> None:
    """Multiset match of keys; extras that equal an optional key are forgiven."""
    tally = score.tally(name)
    want, have, spare = Counter(gold), Counter(got), Counter(optional)
    both = want & have
    tally.tp += sum(both.values())
    for key, n in (want - have).items():
        tally.fn += n
        score.problems.append(f"{name}: missing {_show(key)}")
    for key, n in (have - want).items():
        forgiven = min(n, spare[key])
        spare[key] -= forgiven
        if n - forgiven:
            tally.fp += n - forgiven
            score.problems.append(f"{name}: extra {_show(key)}")


def _show(key) -> str:
    """A key as a reader wants it in a problem line: numbers in plain notation."""
    parts = key if isinstance(key, tuple) else (key,)
    return " ".join(format(p, "f") if isinstance(p, Decimal) else str(p) for p in parts)


def _match_with_field(score: ReportScore, name: str, gold: list, got: list, optional: list = ()) -> None:
    """Match (value, role-or-unit) keys as `name`, and the values alone as `name.value`, so a wrong role
    shows apart from a missed number."""
    _match(score, name, gold, got, optional)
    values = ReportScore()
    _match(values, "value", [k[0] for k in gold], [k[0] for k in got], [k[0] for k in optional])
    score.tallies[f"{name}.value"] = values.tallies["value"]


def subject_covers(subject: str, what: str, evidence: str, share: float = 0.5) -> bool:
    """A count's subject holds the gold's words: of the words of the gold description (2+ chars) that
    the sentence contains, at least `share` must be in the subject (1.0: all of them)."""
    words = [w for w in jieba_words(what.replace("“", "").replace("”", "")) if len(w) >= 2]
    present = [w for w in words if w in evidence]
    if not present:
        return not words
    return sum(w in subject for w in present) >= share * len(present)


def _no_space(text) -> str | None:
    return "".join(str(text).split()) or None if text else None


def _same_name(want: str | None, have: str | None) -> bool:
    """Published gold names a unit as written in one place; ours may be the fuller or the shorter
    form of it (银川市第六中学 / 第六中学): equal when one holds the other, whitespace aside."""
    want, have = _no_space(want), _no_space(have)
    return want == have or bool(want and have and (want in have or have in want))


def score_report(tables: dict[str, list[dict]], gold: dict) -> ReportScore:
    """Compare one report's rows (as the pipeline makes them or as read from CSV) with its gold."""
    score = ReportScore()
    report = tables["reports"][0] if tables.get("reports") else {}
    published = gold.get("published", False)
    for name in META_FIELDS:
        if name not in gold["report"] and published:
            continue
        want, have = gold["report"].get(name), report.get(name)
        if name in ("year", "score"):
            want, have = _dec(want), _dec(have)
        elif published and name in ("title", "department"):
            want, have = _no_space(want), _no_space(have)
            if name == "department" and _same_name(want, have):
                have = want
        else:
            want, have = want or None, have or None
        for tally in (score.tally("metadata"), score.tally(f"metadata.{name}")):
            if want == have:
                tally.tp += want is not None
            else:
                tally.fn += want is not None
                tally.fp += have is not None
        if want != have:
            score.problems.append(f"metadata: {name} is {have!r}, gold {want!r}")

    if "sections" in gold:
        _match(score, "sections", [(g["level"], g["number"], g["title"]) for g in gold["sections"]],
               [(int(r["level"]), r["number"], r["title"]) for r in tables.get("sections", [])])
    # Published gold says each amount's stage too: amounts are then matched on (value, role, stage).
    fields = ("role", "stage") if published else ("role",)
    _match_with_field(score, "amounts", [_amount_key(g, fields) for g in gold.get("amounts", [])],
                      [_amount_key(r, fields) for r in tables.get("amounts", [])])
    _match_with_field(score, "rates", [(_dec(g["value_pct"]), g["role"]) for g in gold.get("rates", [])],
                      [(_dec(r["value_pct"]), r["role"]) for r in tables.get("rates", [])],
                      [(_dec(g["value_pct"]), g.get("role", "other"))
                       for g in gold.get("rates_optional", []) if "value_pct" in g])
    counts = tables.get("counts", [])
    _match_with_field(score, "counts", [(_dec(g["value"]), g["unit"]) for g in gold.get("counts", [])],
                      [(_dec(r["value"]), r["unit"]) for r in counts],
                      [(_dec(g["value"]), g["unit"]) for g in gold.get("counts_optional", []) if "value" in g])
    _score_subjects(score, gold.get("counts", []), counts)
    _score_must_not(score, gold.get("must_not", []), counts)
    if "tasks" in gold:
        _score_tasks(score, gold["tasks"], tables.get("tasks", []))
    if "findings" in gold:
        gold_findings = {(g["kind"], g["seq"]): g["startswith"] for g in gold["findings"]}
        _match(score, "findings", [(kind, seq, start) for (kind, seq), start in gold_findings.items()],
               [_finding_key(r, gold_findings) for r in tables.get("findings", [])])
    if "indicators" in gold:
        key = _indicator_row_key if published else _indicator_key
        _match(score, "indicators", [key(g) for g in gold["indicators"]],
               [key(r) for r in tables.get("indicators", [])])
    if "checks" in gold:
        _match(score, "checks", [(g["check"], g["expected"]) for g in gold["checks"]],
               [(r["check"], r["status"]) for r in tables.get("checks", [])
                if r["check"] in {g["check"] for g in gold["checks"]}])
    return score


def _amount_key(row: dict, fields: tuple[str, ...]) -> tuple:
    return (_dec(row["value_yuan"]), *(row.get(f) or "" for f in fields))


def _indicator_row_key(row: dict) -> tuple:
    """An indicator row as published gold gives it: its name, target, actual and score, whitespace
    that the flattening put inside a cell removed."""
    score = _no_space(row.get("score")) or ""
    try:
        score = _dec(score)
    except ArithmeticError:  # a score written with words (满分, 5分) is compared as written
        pass
    return (*(_no_space(row.get(f)) or "" for f in ("level3", "target", "actual")), score)


INDICATOR_TEXT_FIELDS = ("level1", "level2", "level3", "target", "actual", "note")


def _indicator_key(row: dict) -> tuple:
    """Every field of an indicator row, exactly (numbers compared as numbers)."""
    return ((int(row["table_no"]), int(row["row_no"])) + tuple(row[k] or "" for k in INDICATOR_TEXT_FIELDS)
            + (_dec(row["weight"]), _dec(row["score"])))


def _finding_key(row: dict, gold_findings: dict) -> tuple:
    """(kind, seq, opening): the gold's opening when the text starts with it, else its own first words."""
    kind, seq = row["kind"], int(row["seq"])
    prefix = gold_findings.get((kind, seq), "")
    return kind, seq, prefix if prefix and row["text"].startswith(prefix) else row["text"][:20]


def _score_subjects(score: ReportScore, gold_counts: list, counts: list) -> None:
    tally = score.tally("counts.subject")
    pool = list(counts)
    for g in gold_counts:
        row = next((r for r in pool if _dec(r["value"]) == _dec(g["value"]) and r["unit"] == g["unit"]
                    and subject_covers(r["subject"], g["what"], r["evidence"])), None)
        if row is None:
            tally.fn += 1
            score.problems.append(f"counts.subject: no {g['value']}{g['unit']} whose subject holds {g['what']!r}")
        else:
            tally.tp += 1
            pool.remove(row)


def _score_must_not(score: ReportScore, must_not: list, counts: list) -> None:
    tally = score.tally("must_not")
    for span in must_not:
        bad = [r for r in counts if r["raw"] in span or span in r["raw"]]
        if bad:
            tally.fp += len(bad)
            score.problems.append(f"must_not: {span!r} extracted as a count {bad[0]['raw']!r}")
        else:
            tally.tp += 1


def _score_tasks(score: ReportScore, gold_tasks: list, tasks: list) -> None:
    tally = score.tally("tasks")
    by_no = {int(t["task_no"]): t for t in tasks}
    for g in gold_tasks:
        t = by_no.pop(g["task_no"], None)
        ok = t is not None and all([
            t["goal"].startswith(g.get("goal_startswith", "")),
            g.get("goal_contains", "") in t["goal"],
            t["result"].startswith(g.get("result_startswith", "")),
            t["result"].endswith(g.get("result_endswith", "")),
        ])
        if ok:
            tally.tp += 1
        else:
            tally.fn += 1
            tally.fp += t is not None
            score.problems.append(f"tasks: task {g['task_no']} {'missing' if t is None else 'differs'}")
    tally.fp += len(by_no)
    score.problems.extend(f"tasks: extra task {n}" for n in by_no)


# --- a whole output folder against a folder of gold files (`jixiao eval`) ------------------------

def read_output(out_dir: Path) -> dict[str, dict[str, list[dict]]]:
    """The CSV tables of an output folder, split by report: {report_id: {table: rows}}."""
    by_report: dict[str, dict[str, list[dict]]] = {}
    for table in SCORED_TABLES:
        path = out_dir / f"{table}.csv"
        if not path.is_file():
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                by_report.setdefault(row["report_id"], {}).setdefault(table, []).append(row)
    return by_report


def gold_name(path: Path) -> str:
    """The report a gold file is for: `gold/101_x.gold.json` and `gold/101_x.json` are for `101_x.*`."""
    return path.name.removesuffix(".json").removesuffix(".gold")


# The fields of a published-gold line that describe the report.
PUBLISHED_META = ("title", "department", "year", "report_type", "grade", "score")


def from_published(line: dict) -> dict:
    """A line of published-report gold (../shared/real/gold.jsonl: one report per line, its `id` the
    file name's stem) as a gold file: amounts keep their stage, indicators are matched by row, and
    names are compared as written (whitespace aside, a unit's name by containment)."""
    return {
        "published": True,
        "report": {name: line.get(name) for name in PUBLISHED_META},
        "amounts": [{"value_yuan": a["value_yuan"], "role": a["role"], "stage": a.get("stage")}
                    for a in line.get("amounts", [])],
        "rates": [{"value_pct": r["value_pct"], "role": r["role"]} for r in line.get("rates", [])],
        "counts": [{"value": c["value"], "unit": c["unit"], "what": c.get("what", "")}
                   for c in line.get("counts", [])],
        "indicators": line.get("indicators", []),
    }


def read_golds(gold_path: Path) -> dict[str, dict]:
    """Gold by the name of the report it is for: a folder of gold files, or a .jsonl file of
    published-report gold."""
    golds = {}
    if gold_path.is_file():
        with open(gold_path, encoding="utf-8") as f:
            for line in filter(str.strip, f):
                entry = json.loads(line)
                golds[str(entry["id"])] = from_published(entry)
        return golds
    for path in sorted(gold_path.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(gold, dict) and "report" in gold:
            golds[gold_name(path)] = gold
            if gold.get("source"):
                golds.setdefault(Path(gold["source"]).stem, gold)
    return golds


def evaluate(out_dir: Path, gold_dir: Path) -> dict:
    """Score every report in out_dir that has a gold file (matched by file name, or by the gold's
    `source`); a gold file without a report is scored as all missed. Returns the figures as data."""
    reports = read_output(out_dir)
    golds = read_golds(gold_dir)
    totals: dict[str, Tally] = {}
    per_report, used = {}, set()
    for report_id, tables in sorted(reports.items(), key=lambda kv: kv[1]["reports"][0]["source_path"]):
        source = tables["reports"][0]["source_path"]
        gold = golds.get(Path(source).stem)
        if gold is None:
            continue
        used.add(id(gold))
        per_report[source] = _add(totals, score_report(tables, gold))
    for key, gold in golds.items():
        if id(gold) not in used:
            used.add(id(gold))
            per_report[f"(no report) {key}"] = _add(totals, score_report({}, gold))
    overall = Tally()
    for name, tally in totals.items():
        if "." not in name:
            overall.tp, overall.fp, overall.fn = overall.tp + tally.tp, overall.fp + tally.fp, overall.fn + tally.fn
    return {
        "out_dir": str(out_dir), "gold_dir": str(gold_dir),
        "n_reports": len(reports), "n_scored": sum(not k.startswith("(no report)") for k in per_report),
        "n_gold_without_report": sum(k.startswith("(no report)") for k in per_report),
        "overall": _figures(overall),
        "tables": {name: _figures(totals[name]) for name in sorted(totals, key=_table_order)},
        "reports": per_report,
    }


def _table_order(name: str) -> tuple:
    table, _, field_name = name.partition(".")
    order = ["metadata", *SCORED_TABLES[1:], "must_not"]
    return (order.index(table) if table in order else len(order), field_name)


def _add(totals: dict[str, Tally], score: ReportScore) -> dict:
    for name, tally in score.tallies.items():
        total = totals.setdefault(name, Tally())
        total.tp, total.fp, total.fn = total.tp + tally.tp, total.fp + tally.fp, total.fn + tally.fn
    return {"tables": {name: _figures(t) for name, t in sorted(score.tallies.items())},
            "problems": score.problems}


def _figures(tally: Tally) -> dict:
    return {"tp": tally.tp, "fp": tally.fp, "fn": tally.fn, "precision": round(tally.precision, 4),
            "recall": round(tally.recall, 4), "f1": round(tally.f1, 4)}
