"""Measure a case against a floor of the same work, in the same run, so the ratio survives a noisy machine."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    case: str
    median_ms: float
    p95_ms: float
    queries: int | None
    floor: str
    floor_median_ms: float | None
    target: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # "ms" times; "B" counts bytes; "rps" is a throughput run: medians are ms per request, p95 holds the p99;
    # "MB/s" is a data rate: medians are ms per MB; "p99" is a latency whose p95 field holds the p99.
    unit: str = "ms"

    @property
    def ratio(self) -> float | None:
        if not self.floor_median_ms:
            return None
        return self.median_ms / self.floor_median_ms

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": None if self.ratio is None else round(self.ratio, 2)}


def timings(
    fn: Callable[[], Any], *, repeat: int, warmup: int = 3, setup: Callable[[], Any] | None = None
) -> list[float]:
    """Wall-clock milliseconds of ``fn`` over ``repeat`` runs (``setup`` runs before each, untimed)."""
    for _ in range(warmup):
        if setup:
            setup()
        fn()
    samples = []
    for _ in range(repeat):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def count_queries(fn: Callable[[], Any], setup: Callable[[], Any] | None = None) -> int:
    if setup:
        setup()
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def measure(
    case: str,
    fn: Callable[[], Any],
    *,
    floor: str,
    floor_fn: Callable[[], Any] | None,
    repeat: int,
    target: str = "",
    setup: Callable[[], Any] | None = None,
    floor_setup: Callable[[], Any] | None = None,
    queries: bool = True,
) -> Result:
    """Interleave case and floor in rounds, so a burst of load on the machine hits both alike."""
    rounds = 5
    per_round = max(1, repeat // rounds)
    samples: list[float] = []
    floor_samples: list[float] = []
    for _ in range(rounds):
        samples += timings(fn, repeat=per_round, setup=setup, warmup=1)
        if floor_fn is not None:
            floor_samples += timings(floor_fn, repeat=per_round, setup=floor_setup, warmup=1)
    return Result(
        case=case,
        median_ms=statistics.median(samples),
        p95_ms=p95(samples),
        queries=count_queries(fn, setup) if queries else None,
        floor=floor,
        floor_median_ms=statistics.median(floor_samples) if floor_samples else None,
        target=target,
    )


def format_table(results: list[Result], title: str) -> str:
    header = ["case", "median", "p95", "queries", "floor", "floor median", "ratio", "target"]
    rows = [header]
    for result in results:
        rows.append(
            [
                result.case,
                _value(result.median_ms, result.unit),
                f"p99 {result.p95_ms:.0f} ms" if result.unit in ("rps", "p99") else _value(result.p95_ms, result.unit),
                "-" if result.queries is None else str(result.queries),
                result.floor,
                "-" if result.floor_median_ms is None else _value(result.floor_median_ms, result.unit),
                "-"
                if result.ratio is None
                else f"{result.ratio:.2f}"
                if result.ratio >= 0.01
                else f"{result.ratio:.1e}",
                result.target,
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"## {title}", ""]
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def _value(value: float, unit: str) -> str:
    if unit == "rps":
        return f"{1000 / value:.0f} req/s" if value else "-"
    if unit == "MB/s":
        return f"{1000 / value:.1f} MB/s" if value else "-"
    return f"{value:.0f} B" if unit == "B" else f"{value:.3f} ms"
