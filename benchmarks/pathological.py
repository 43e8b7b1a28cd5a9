"""Issue 20's pathological inputs through the pipeline (load, normalize, extractors, rows), each at
two sizes: where the work is linear in the input, the ×10 input takes about ten times as long as the
×1 and its output grows ten times.

    python benchmarks/pathological.py [--sizes 1,10] [--timeout 300] [--max-memory 8] [--only WORDS]

Every measurement runs in a process of its own, forked once the models are loaded, so that one that
runs away is stopped at --timeout seconds or --max-memory GB without stopping the rest. Seconds are
the process's CPU time (a shared machine's wall clock varies more); output bytes are those of the
CSV lines the report's tables make; the note is what went wrong (not_a_report: the inputs are no
reports, and their facts are read all the same). Prints a markdown table.
"""
from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Callable

# A line that the normalizer joins to the one before it: long enough, no closing mark, no heading.
BROKEN_LINE = "项目资金主要用于农田水利设施建设和日常维护\n"
NUMERALS = "一二三四五六七八九十百千万亿"


def percents(scale: int) -> str:
    """10 KB of 1%: thousands of rates in one sentence."""
    return "1%" * 5_000 * scale


def amounts_list(scale: int) -> str:
    """One sentence listing 2,000 project amounts (69 KB)."""
    return "".join(f"第{i}号项目支出{i % 1000}.5万元，" for i in range(1, 2_000 * scale + 1)) + "。"


def broken_lines(scale: int) -> str:
    """2 MB of short lines broken mid-sentence, which the normalizer joins into one paragraph."""
    return BROKEN_LINE * (2_000_000 * scale // len(BROKEN_LINE.encode()))


def numerals(chars: int) -> Callable[[int], str]:
    """A run of Chinese numerals before a measure word, in a sentence."""
    def text(scale: int) -> str:
        return "共" + "".join(itertools.islice(itertools.cycle(NUMERALS), chars * scale)) + "个项目。"
    return text


def repeated(piece: str, times: int) -> Callable[[int], str]:
    """The piece again and again with nothing between: one clause with no stop."""
    def text(scale: int) -> str:
        return piece * times * scale
    return text


CASES: list[tuple[str, Callable[[int], str]]] = [
    ("1% ×10 KB", percents),
    ("2,000 amounts in one sentence", amounts_list),
    ("2 MB of broken lines", broken_lines),
    ("Chinese numerals, 1k chars", numerals(1_000)),
    ("Chinese numerals, 7k chars", numerals(7_000)),
    ("1人次 ×3k", repeated("1人次", 3_000)),
    ("1人次 ×6k", repeated("1人次", 6_000)),
    # found on the way: counts in Chinese numerals, numerals inside a word or a slogan (not counts,
    # passed over), and budget rows whose cells ran together, each after the other with no stop
    ("三个 ×1k", repeated("三个", 1_000)),
    ("星期三个 ×1k", repeated("星期三个", 1_000)),
    ("树牢四个意识 ×1k", repeated("树牢四个意识", 1_000)),
    ("(万元)年度资金总额40004000100% ×1k", repeated("(万元)年度资金总额40004000100%", 1_000)),
]


def _measure(text: str, memory_bytes: int, conn) -> None:
    """In the child: the report's CPU seconds, output bytes and error type, sent down conn."""
    from extract.dataset import csv_text
    from extract.pipeline import process_file
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory_bytes, hard))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "report.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        start = time.process_time()
        result = process_file(path)
        seconds = time.process_time() - start
        output = sum(len(csv_text(name, rows).encode()) for name, rows in result.tables.items())
    conn.send((seconds, output, result.error["error_type"] if result.error else ""))


def _address_space() -> int:
    """This process's virtual memory now, in bytes: the cap is set above what the models take."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def measure(text: str, timeout: float, memory_bytes: int) -> tuple[float | None, int | None, str]:
    """(CPU seconds, output bytes, what went wrong) for one input, in a forked process."""
    receiving, sending = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_measure, args=(text, memory_bytes, sending))
    child.start()
    sending.close()
    if not receiving.poll(timeout):
        child.kill()
        child.join()
        return None, None, f"stopped after {timeout:g} s"
    try:
        seconds, output, error = receiving.recv()
    except EOFError:  # the child died: killed by the kernel for its memory, say
        seconds, output, error = None, None, f"process died ({child.exitcode})"
    child.join()
    return seconds, output, error


def _warm_up() -> None:
    """Load the models and every extractor's rules before the measurements fork, so that none of
    them counts that time."""
    from extract.pipeline import process_file, warm_up
    warm_up()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "report.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("某局2023年度部门整体支出绩效自评报告\n全年预算数 10 万元，执行率 99.2%，开展培训 3 次。\n")
        process_file(path)


def _ratio(small: float | None, large: float | None) -> str:
    if small is None or large is None:
        return "—"
    return f"{large / small:.1f}" if small > 0 else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10", help="the scales to run each input at (default 1,10)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one measurement may take")
    parser.add_argument("--max-memory", type=float, default=8, help="GB one measurement may take beyond the models")
    parser.add_argument("--only", default="", help="only the inputs whose name holds these words")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    _warm_up()
    print("| input | size | input bytes | CPU seconds | output bytes | time / time at the first size | note |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name, make in CASES:
        if args.only not in name:
            continue
        first_seconds = None
        for k, scale in enumerate(sizes):
            text = make(scale)
            seconds, output, error = measure(text, args.timeout, int(args.max_memory * 2**30))
            first_seconds = seconds if k == 0 else first_seconds
            ratio = _ratio(first_seconds, seconds) if k else ""
            shown_seconds = f"{seconds:.2f}" if seconds is not None else f"> {args.timeout:g}"
            print(f"| {name} | ×{scale} | {len(text.encode()):,} | {shown_seconds} | "
                  f"{'' if output is None else f'{output:,}'} | {ratio} | {error} |", flush=True)


if __name__ == "__main__":
    main()
