"""Run every benchmark, print a table, write bench/results/latest.json.

A benchmark is a module ``bench/bench_<name>.py`` with a ``run()`` that returns a
:class:`bench.common.Result`.
"""

import argparse
import importlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = sorted(path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py"))
RESULTS = HERE / "results"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (all)")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"no such benchmark: {', '.join(sorted(unknown))}; there are {', '.join(BENCHMARKS)}")
    names = args.names or BENCHMARKS
    results = [importlib.import_module(f"bench.bench_{name}").run() for name in names]
    width = max(len(result.benchmark) for result in results)
    print(f"{'benchmark':<{width}}  {'figure':<26} {'value':>14}  note")
    for result in results:
        for figure in result.figures:
            value = f"{figure.value:.3f} {figure.unit}"
            print(f"{result.benchmark:<{width}}  {figure.name:<26} {value:>14}  {figure.note}")
    RESULTS.mkdir(exist_ok=True)
    payload = {"time": datetime.now(timezone.utc).isoformat(), "results": [r.as_dict() for r in results]}
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2))
    print(f"\nwritten to {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
