"""Tasks: 《任务一》 / 任务一： paragraphs with their goal (预期目标) and result (完成情况)."""
from __future__ import annotations

import functools

import regex

from .. import rules
from ..model import Task
from ..numbers import parse_number
from . import Context, register


@functools.cache
def _config():
    cfg = rules.load("tasks")
    marker = regex.compile(cfg["task_marker"])
    goal = regex.compile(rf"(?:{'|'.join(sorted(cfg['goal_labels'], key=len, reverse=True))})\s*[：:]")
    result = regex.compile(rf"(?:{'|'.join(sorted(cfg['result_labels'], key=len, reverse=True))})\s*[：:]")
    return marker, goal, result


@register("tasks", table="tasks")
def extract_tasks(ctx: Context) -> list[Task]:
    marker, goal_label, result_label = _config()
    text = ctx.doc.text
    starts = []
    for start, end in ctx.doc.paragraphs():
        m = marker.match(text, start, end)
        if m:
            starts.append(m)
    tasks = []
    for i, m in enumerate(starts):
        section = ctx.index.at(m.start())
        block_end = min(starts[i + 1].start() if i + 1 < len(starts) else len(text),
                        section.char_end if section else len(text))
        block = text[m.end():block_end]
        goal_m = goal_label.search(block)
        result_m = result_label.search(block, goal_m.end() if goal_m else 0)
        if not goal_m and not result_m:
            continue
        head_end = goal_m.start() if goal_m else result_m.start()
        name = block[:head_end].strip(" ：:，,。\n") or m.group(0).strip(" ：:、.．")
        goal = block[goal_m.end():result_m.start() if result_m else len(block)].strip() if goal_m else ""
        result = _result(block, result_m.end()) if result_m else ""
        number = parse_number(m.group("num"))
        tasks.append(Task(task_no=int(number) if number is not None else i + 1, name=name, goal=goal,
                          result=result, section_path=ctx.index.path_at(m.start()), page=ctx.doc.page_at(m.start())))
    return tasks


def _result(block: str, start: int) -> str:
    """The result runs to the end of its paragraph, or fills the next one when its label stands alone."""
    end = block.find("\n", start)
    result = block[start:end if end >= 0 else len(block)].strip()
    if not result and end >= 0:
        following = block.find("\n", end + 1)
        result = block[end + 1:following if following >= 0 else len(block)].strip()
    return result
