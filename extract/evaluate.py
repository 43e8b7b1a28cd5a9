"""Scoring extracted tables against gold files (the format of ../shared/gold, see docs/gold-format.md).

Each gold fact is matched at most once by a key built from its values; what is left over on either
side is a miss (false negative) or an extra (false positive). Optional gold facts are never misses,
and extras that match them are forgiven.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import jieba

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
        score.problems.append(f"{name}: missing {key}")
    for key, n in (have - want).items():
        forgiven = min(n, spare[key])
        spare[key] -= forgiven
        if n - forgiven:
            tally.fp += n - forgiven
            score.problems.append(f"{name}: extra {key}")


def subject_covers(subject: str, what: str, evidence: str, share: float = 0.5) -> bool:
    """A count's subject holds the gold's words: of the words of the gold description (2+ chars) that
    the sentence contains, at least `share` must be in the subject (1.0: all of them)."""
    words = [w for w in jieba.lcut(what.replace("“", "").replace("”", "")) if len(w) >= 2]
    present = [w for w in words if w in evidence]
    if not present:
        return not words
    return sum(w in subject for w in present) >= share * len(present)


def score_report(tables: dict[str, list[dict]], gold: dict) -> ReportScore:
    """Compare one report's rows (as the pipeline makes them or as read from CSV) with its gold."""
    score = ReportScore()
    report = tables["reports"][0] if tables.get("reports") else {}
    meta = score.tally("metadata")
    for name in META_FIELDS:
        want, have = gold["report"].get(name), report.get(name)
        if name in ("year", "score"):
            want, have = _dec(want), _dec(have)
        else:
            want, have = want or None, have or None
        if want == have:
            meta.tp += 1
        else:
            meta.fn += 1
            meta.fp += have is not None
            score.problems.append(f"metadata: {name} is {have!r}, gold {want!r}")

    _match(score, "sections", [(g["level"], g["number"], g["title"]) for g in gold.get("sections", [])],
           [(int(r["level"]), r["number"], r["title"]) for r in tables.get("sections", [])])
    _match(score, "amounts", [(_dec(g["value_yuan"]), g["role"]) for g in gold.get("amounts", [])],
           [(_dec(r["value_yuan"]), r["role"]) for r in tables.get("amounts", [])])
    _match(score, "rates", [(_dec(g["value_pct"]), g["role"]) for g in gold.get("rates", [])],
           [(_dec(r["value_pct"]), r["role"]) for r in tables.get("rates", [])],
           [(_dec(g["value_pct"]), g.get("role", "other")) for g in gold.get("rates_optional", []) if "value_pct" in g])
    counts = tables.get("counts", [])
    _match(score, "counts", [(_dec(g["value"]), g["unit"]) for g in gold.get("counts", [])],
           [(_dec(r["value"]), r["unit"]) for r in counts],
           [(_dec(g["value"]), g["unit"]) for g in gold.get("counts_optional", []) if "value" in g])
    _score_subjects(score, gold.get("counts", []), counts)
    _score_must_not(score, gold.get("must_not", []), counts)
    _score_tasks(score, gold.get("tasks", []), tables.get("tasks", []))
    gold_findings = {(g["kind"], g["seq"]): g["startswith"] for g in gold.get("findings", [])}
    _match(score, "findings", [(kind, seq, start) for (kind, seq), start in gold_findings.items()],
           [_finding_key(r, gold_findings) for r in tables.get("findings", [])])
    if "indicators" in gold:
        _match(score, "indicators", [_indicator_key(g) for g in gold["indicators"]],
               [_indicator_key(r) for r in tables.get("indicators", [])])
    _match(score, "checks", [(g["check"], g["expected"]) for g in gold.get("checks", [])],
           [(r["check"], r["status"]) for r in tables.get("checks", [])
            if r["check"] in {g["check"] for g in gold.get("checks", [])}])
    return score


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
