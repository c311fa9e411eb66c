"""The bench harness: a shared context (one scale-N demo database per run), process timing, the table."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One measurement next to the baseline it is judged against (both taken in this run)."""

    section: str                       # "demo", "overview", "search", "import" …
    name: str                          # what was measured
    seconds: float
    baseline: str | None = None        # what it is compared with
    baseline_seconds: float | None = None
    peak_rss_mb: float | None = None
    goal: str = ""                     # the goal from DESIGN.md / the issue, e.g. "≤ 3×"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline_seconds:
            return None
        return self.seconds / self.baseline_seconds


@dataclass
class Timed:
    seconds: float
    peak_rss_mb: float
    stdout: str


def run_process(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Timed:
    """Run a whole process: wall time and that child's own peak RSS (from wait4's rusage)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{err.read()[-2000:]}")
        return Timed(seconds, usage.ru_maxrss / 1024, out.read())


def run_probe(ctx: "Context", module: str, db: Path) -> tuple[dict, Timed]:
    """Run `python -m bench.<module> DB` as a fresh process: the JSON object on its last JSON line of
    stdout (a probe may print progress before it), and the process timing (its peak RSS)."""
    probe = run_process([ctx.python, "-m", f"bench.{module}", str(db)])
    return json.loads(next(line for line in reversed(probe.stdout.splitlines()) if line.startswith("{"))), probe


@dataclass
class Context:
    """What every bench module gets: a work folder and the run's scale-N demo database."""

    workdir: Path
    scale: int = field(default_factory=lambda: int(os.environ.get("BENCH_SCALE", "30")))
    # Issue 11 measures at scale 30 with ≥ 10M stage events; the demo makes 9.3M there, so the bench asks
    # `--events` for 10M per 30 scale (people apply to more employers; no reported figure changes).
    events: int = field(default_factory=lambda: int(os.environ.get("BENCH_EVENTS", "0")))
    python: str = sys.executable
    _demo: Path | None = None
    demo_timing: Timed | None = None

    @property
    def events_at_least(self) -> int:
        return self.events or -(-10_000_000 * self.scale // 30)

    def demo_db(self) -> Path:
        """The scale-N demo database with at least `events_at_least` stage events, generated once per run
        as a whole process (timed)."""
        if self._demo is None:
            path = self.workdir / f"demo-x{self.scale}.duckdb"
            path.unlink(missing_ok=True)
            self.demo_timing = run_process([self.python, "-m", "loaders", "demo", "--db", str(path),
                                            "--scale", str(self.scale), "--events", str(self.events_at_least),
                                            "--json"])
            self._demo = path
        return self._demo


def print_table(rows: list[Row]) -> None:
    headers = ("section", "measurement", "seconds", "baseline", "baseline s", "ratio", "peak RSS MB", "goal", "note")
    table = [
        (r.section, r.name, f"{r.seconds:.3f}", r.baseline or "", "" if r.baseline_seconds is None else f"{r.baseline_seconds:.3f}",
         "" if r.ratio is None else f"{r.ratio:.2f}×", "" if r.peak_rss_mb is None else f"{r.peak_rss_mb:,.0f}", r.goal, r.note)
        for r in rows
    ]
    widths = [max(_width(x) for x in col) for col in zip(headers, *table)]
    for line in [headers, tuple("-" * w for w in widths), *table]:
        print(" | ".join(_pad(cell, w) for cell, w in zip(line, widths)))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)   # CJK characters take two columns


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
