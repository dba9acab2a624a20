"""Timing helpers shared by the benchmarks."""

import statistics
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    note: str = ""


@dataclass
class Result:
    benchmark: str
    figures: list = field(default_factory=list)

    def add(self, name, value, unit, note=""):
        self.figures.append(Figure(name, value, unit, note))

    def as_dict(self):
        return {"benchmark": self.benchmark, "figures": [asdict(f) for f in self.figures]}


def timings(call, repeat, warmup=5):
    """Seconds per call of ``call()``, ``repeat`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        call()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def median_p95(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
