"""Run every benchmark, print a table, write bench/results/latest.json."""

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from . import bench_sandbox

BENCHMARKS = {"sandbox": bench_sandbox.run}
RESULTS = Path(__file__).resolve().parent / "results"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[[], *BENCHMARKS], help="benchmarks to run (default: all)")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    results = [BENCHMARKS[name]() for name in names]
    print(f"{'benchmark':<28} {'figure':<26} {'value':>12}  note")
    for result in results:
        for figure in result.figures:
            value = f"{figure.value:.3f} {figure.unit}"
            print(f"{result.benchmark:<28} {figure.name:<26} {value:>12}  {figure.note}")
    RESULTS.mkdir(exist_ok=True)
    payload = {"time": datetime.now(timezone.utc).isoformat(), "results": [r.as_dict() for r in results]}
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2))
    print(f"\nwritten to {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
