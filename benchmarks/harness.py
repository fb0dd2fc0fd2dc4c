"""The wrapper every benchmark runs a command in, what it measures, and the table and targets it prints.

run.py and scale_dask.py import it (imports.py and site.py through run.py), so that run.py can import
scale_dask.py without the two importing each other: each command runs in a fresh process that times it and
samples the memory of its whole process tree, and each benchmark reports rows (rows, seconds, rows/s, peak
memory, a ratio) and targets met, missed or not measured, in the same Markdown.
"""

from __future__ import annotations

import compileall
import json
import os
import platform
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import incidents

BIN = Path(sys.executable).parent
INCIDENTS = str(BIN / "incidents")
GiB = 1024**3

# The wrapper each measured command runs in: a fresh process, so that RUSAGE_CHILDREN is this command's alone.
# getrusage gives the peak of the largest single process; a command that runs worker processes uses their
# sum, so the wrapper also samples the whole process tree's resident memory from /proc every 50 ms.
WRAPPER = """
import json, os, resource, subprocess, sys, time

def tree_rss(root):
    parent, rss = {}, {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry)], rss[int(entry)] = int(fields[1]), int(fields[21])
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, ppid in parent.items() if ppid in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(rss.get(pid, 0) for pid in tree) * os.sysconf("SC_PAGE_SIZE")

argv, cwd, out, timeout = json.loads(sys.argv[1])
sampled = 0
started = time.perf_counter()
with open(out, "wb") as stdout, open(out + ".err", "wb") as stderr:
    child = subprocess.Popen(argv, cwd=cwd, stdout=stdout, stderr=stderr)
    while child.poll() is None:
        if timeout is not None and time.perf_counter() - started > timeout:
            child.kill()
            child.wait()
            break
        sampled = max(sampled, tree_rss(child.pid))
        time.sleep(0.05)
seconds = time.perf_counter() - started
code = None if timeout is not None and seconds > timeout else child.returncode
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak": max(largest, sampled), "code": code}))
"""


@dataclass
class Run:
    seconds: float | None
    peak: int | None
    code: int | None
    output: str = ""
    spread: str = ""  # of repeated runs: how many, and the range of their seconds

    @property
    def finished(self) -> bool:
        return self.seconds is not None and self.code is not None


def median(runs: list[Run]) -> Run:
    """The run of median time (the slower middle one of an even count); its peak is the largest of all."""
    if len(runs) == 1 or not all(r.finished for r in runs):
        return next((r for r in runs if not r.finished), runs[0])  # a failure is shown, not hidden
    done = sorted(runs, key=lambda r: r.seconds or 0)
    middle = done[len(done) // 2]
    spread = f"median of {len(done)}: {done[0].seconds:.2f}-{done[-1].seconds:.2f} s"
    peak = max(r.peak or 0 for r in done)
    return Run(middle.seconds, peak, middle.code, middle.output, spread)


@dataclass
class Row:
    benchmark: str
    incidents: int
    rows: int
    run: Run | None  # None: not available
    ratio: str = ""
    note: str = ""


@dataclass
class Target:
    text: str
    met: bool | None  # None: not measured
    detail: str


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # the found/missed table of the planted errors


def measure(argv: list[str], cwd: Path, scratch: Path, timeout: float | None = None) -> Run:
    """Run `argv` once in a fresh wrapper process: wall seconds, peak RSS, exit code and its stdout."""
    out = scratch / "stdout.txt"
    wrapper = [sys.executable, "-c", WRAPPER, json.dumps([argv, str(cwd), str(out), timeout])]
    report = json.loads(subprocess.run(wrapper, capture_output=True, text=True, check=True).stdout)
    output = out.read_text(encoding="utf-8", errors="replace")
    if report["code"] is None:
        return Run(None, report["peak"], None)
    if report["code"] not in (0, 1):  # 1 is "invalid data", an answer; anything else is a failure to run
        error = (scratch / "stdout.txt.err").read_text(encoding="utf-8", errors="replace")
        print(f"  ! {shlex.join(argv)} exited {report['code']}: {error[-500:]}", file=sys.stderr)
    return Run(report["seconds"], report["peak"], report["code"], output)


def _exit(run: Run) -> str:
    return "" if run.code == 0 else f"exit {run.code}"


def _seconds(run: Run | None) -> str:
    return f"{run.seconds:.2f} s" if run and run.seconds is not None else "not measured"


def render(results: Results) -> str:
    """The measures as the Markdown table docs/scale.md pastes."""
    head = ("benchmark", "incidents", "rows", "seconds", "rows/s", "peak MiB", "ratio", "note")
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    for r in results.rows:
        run = r.run
        if run is None:
            cells = (r.benchmark, f"{r.incidents:,}", f"{r.rows:,}", "-", "-", "-", r.ratio, r.note)
        else:
            seconds = f"{run.seconds:.2f}" if run.seconds is not None else "timeout"
            rate = f"{r.rows / run.seconds:,.0f}" if run.seconds else "-"
            peak = f"{run.peak / 2**20:,.0f}" if run.peak else "-"
            cells = (r.benchmark, f"{r.incidents:,}", f"{r.rows:,}", seconds, rate, peak, r.ratio, r.note)
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def render_targets(results: Results) -> str:
    """Each target met, missed or not measured, and the planted errors each tool found."""
    out = ["| target | result | measured |", "| --- | --- | --- |"]
    for t in results.targets:
        verdict = {True: "met", False: "**missed**", None: "not measured"}[t.met]
        out.append(f"| {t.text} | {verdict} | {t.detail} |")
    if results.found:
        out += ["", *results.found]
    return "\n".join(out)


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GiB
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}), {memory:.0f} GiB, {platform.system()}, "
        f"Python {platform.python_version()}; load average before the run: {load}"
    )


def compile_toolkit() -> None:
    """Compile the toolkit's modules to bytecode before anything is timed, as a user's install has them: pip
    compiles an installed package, and Python an editable one on its first import, unless
    PYTHONDONTWRITEBYTECODE is set (as on the machine of docs/scale.md), when every run of an editable
    install compiled its modules again (0.1-0.2 s of each command)."""
    compileall.compile_dir(Path(incidents.__file__).parent, quiet=1)
