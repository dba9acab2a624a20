"""The bulk reader streams: its peak memory, in a fresh process, on a file larger than that memory.

Only memory is asserted, never time (time is measured in bench/bench_kvk_selection.py).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sandbox import kvk_bulk

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1_200_000
PEAK_MB = 200  # the target for a test selection, for the whole process
GROWTH_MB = 110  # what reading may add to the process after its imports

PROBE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, "tests")
    from addon_clients import load_clients

    kvk = load_clients("kvk_connector")
    import pyarrow, pyarrow.compute, pyarrow.csv  # noqa: E401 - imported before the baseline is taken

    def peak_mb():
        # VmHWM: this process's peak resident set (ru_maxrss would include the parent's before exec)
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    before = peak_mb()
    criteria = kvk.Criteria.parse(postcodes="5200-5500", sbi_include="62 47", municipalities="'s-Hertogenbosch")
    if sys.argv[2] == "selection":
        result = kvk.run_test_selection(sys.argv[1], criteria)
        counts = [result.rows, result.matches, result.bad_count]
    else:
        rows = bad = 0
        for batch in kvk.iter_matches(sys.argv[1], criteria, batch_size=1000):
            rows += len(batch.rows)
            bad += len(batch.bad_rows)
        counts = [rows, bad]
    print(json.dumps({"before": before, "peak": peak_mb(), "counts": counts}))
    """
)


@pytest.fixture(scope="module")
def large_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("bulk-memory") / "large.csv"
    with open(path, "wb") as out:
        written = kvk_bulk.write(out, ROWS, bad_every=100_003)
    return path, written


def probe(path, mode):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), mode], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("mode", ["selection", "import"])
def test_reader_memory_stays_bounded_on_a_large_file(large_file, mode):
    path, written = large_file
    size_mb = path.stat().st_size / 2**20
    outcome = probe(path, mode)
    growth = outcome["peak"] - outcome["before"]
    if mode == "selection":
        assert outcome["counts"][0] == ROWS and outcome["counts"][2] == len(written.bad_lines)
        assert outcome["counts"][1] > 1000
    else:
        assert outcome["counts"][0] > 1000 and outcome["counts"][1] == len(written.bad_lines)
    assert size_mb > 170
    assert outcome["peak"] < PEAK_MB, f"peak {outcome['peak']:.0f} MB reading a {size_mb:.0f} MB file"
    assert growth < GROWTH_MB and growth < size_mb / 2, f"reading added {growth:.0f} MB for a {size_mb:.0f} MB file"
