"""CreditCheck answers are parsed as a stream: peak memory does not grow with their size.

Each measurement runs in a fresh Python process (this file, run as a script),
which builds a SOAP answer on the fly, chunk by chunk, never whole, and counts
the lines the addon's parser hands on.  The process's peak resident set is
asserted, never its time.  The largest answer unpacks to the configured cap
(the addon's default, 256 MiB).
"""

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MB = 150  # peak resident set of the whole process, at the cap
GROWTH_MB = 20  # more than this between a small answer and one at the cap: not streaming
SMALL = 16 * 1024 * 1024


def probe(shape, size):
    """In the subprocess: parse one answer; print what came out and the peak memory."""
    sys.path.insert(0, str(ROOT / "tests"))
    from addon_clients import load_clients

    from sandbox.services.creditcheck import line_block, sized_answer

    cc = load_clients("creditcheck_semaphore")
    chunks, expected = sized_answer(shape, size, line_block())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = cc.ParseReport()
    lines = sum(1 for _ in cc.iter_answer_lines(chunks, report, cc.creditcheck_parser.DEFAULT_MAX_DECOMPRESSED))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"lines": lines, "expected": expected, "rejected": report.rejected,
                      "before_mb": before / 1024, "peak_mb": peak / 1024}))  # fmt: skip


def measure(shape, size):
    proc = subprocess.run(
        [sys.executable, __file__, shape, str(size)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (result["lines"], result["rejected"]) == (result["expected"], 0)
    return result


@pytest.mark.parametrize("shape", ["zip", "plain"])
def test_peak_memory_does_not_grow_with_the_answer(shape):
    from addon_clients import load_clients

    cap = load_clients("creditcheck_semaphore").creditcheck_parser.DEFAULT_MAX_DECOMPRESSED
    small = measure(shape, SMALL)
    large = measure(shape, cap)
    assert large["peak_mb"] < LIMIT_MB, large
    assert large["peak_mb"] - small["peak_mb"] < GROWTH_MB, (small, large)


if __name__ == "__main__":
    probe(sys.argv[1], int(sys.argv[2]))
