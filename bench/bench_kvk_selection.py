"""KvK "test selection" over a bulk file of 6,000,000 rows, against a plain csv loop.

One run writes a KvK bulk file of ``ROWS`` rows (``sandbox/kvk_bulk.py``, about 0.9 GB)
into a temporary folder, then counts the rows of a target group in it two ways, each in
a fresh process:

* **reader**: ``kvk_connector.clients.kvk_bulk.run_test_selection``, the code a profile's
  "Test selection" runs: pyarrow's streaming CSV reader in blocks of 1 MiB, only the
  needed columns, the criteria applied to whole blocks;
* **csv loop**: the same selection with Python's csv module, row by row through
  ``Criteria.decide`` (``csv_test_selection``), the straightforward version;
* **bare csv reading**: the csv module reading every row and testing the three criteria on
  the raw text, with no checks at all: what no csv-module loop can go below.

The target group is the one seed 001 gives as an example (postcodes 5200 to 5500, SBI
codes starting with 62 or 47) narrowed to the municipality of 's-Hertogenbosch.  All three
must find the same rows (the generated file has no bad rows).  Wall time and peak memory (the resident set's high-water
mark of the whole process, Python and pyarrow included) for each, and the ratio.
Targets: under 10 s and under 200 MB.
"""

import csv
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

from .common import ROOT, Result, run_phase

ROWS = 6_000_000
CRITERIA = {"postcodes": "5200-5500", "sbi_include": "62 47", "municipalities": "'s-Hertogenbosch"}


def _peak_mb():
    """This process's peak resident set (VmHWM; ru_maxrss would count the parent's before exec)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def _clients():
    """kvk_connector/clients on its own (plain Python): the addon's package would import Odoo."""
    folder = ROOT / "kvk_connector" / "clients"
    spec = importlib.util.spec_from_file_location(
        "kvk_connector_clients", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _csv_floor(path):
    """The least a csv-module loop does for this selection: read every row and test the three
    criteria (and that the registration has not ended) on raw text; no checks of the values,
    no bad rows, no sample."""
    header = None
    rows = matches = 0
    today = time.strftime("%Y%m%d")
    with open(path, newline="", encoding="utf-8") as text:
        for row in csv.reader(text, delimiter=";"):
            if header is None:
                header = {name: index for index, name in enumerate(row)}
                postcode, sbi, municipality = header["postcode"], header["sbi_hoofdactiviteit"], header["gemeente"]
                end = header["datum_einde"]
                continue
            rows += 1
            digits = row[postcode][:4]
            if (
                digits.isdigit()
                and 5200 <= int(digits) <= 5500
                and row[sbi].startswith(("62", "47"))
                and row[municipality] == "'s-Hertogenbosch"
                and (not row[end] or row[end] > today)
            ):
                matches += 1
    return {"rows": rows, "matches": matches}


def _phase(name, path):
    clients = _clients()
    kvk_bulk = clients.kvk_bulk
    criteria = clients.Criteria.parse(**CRITERIA)
    before = _peak_mb()
    started = time.perf_counter()
    if name == "floor":
        outcome = _csv_floor(path)
        print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": _peak_mb(), **outcome}))
        return
    select = kvk_bulk.run_test_selection if name == "reader" else kvk_bulk.csv_test_selection
    result = select(path, criteria)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": _peak_mb(),
                "before_mb": before,
                "rows": result.rows,
                "matches": result.matches,
                "bad": result.bad_count,
                "sample": [row.line for row in result.sample],
            }
        )
    )


def run():
    from sandbox import kvk_bulk as generator

    result = Result(f"kvk test selection {ROWS // 1_000_000}M rows")
    with tempfile.TemporaryDirectory(prefix="bench-kvk-selection-") as tmp:
        path = Path(tmp) / "kvk-bulk.csv"
        started = time.perf_counter()
        with open(path, "wb") as out:
            written = generator.write(out, ROWS)
        generated = time.perf_counter() - started
        size_mb = path.stat().st_size / 2**20
        reader = run_phase("bench.bench_kvk_selection", "reader", path)
        loop = run_phase("bench.bench_kvk_selection", "csv", path)
        floor = run_phase("bench.bench_kvk_selection", "floor", path)
    same = all(reader[key] == loop[key] for key in ("rows", "matches", "bad", "sample"))
    same = same and (floor["rows"], floor["matches"]) == (reader["rows"], reader["matches"])
    if not same:
        raise RuntimeError(f"the reader and the csv loop disagree: {reader} / {loop}")
    note = f"{reader['matches']} of {reader['rows']} rows match; file {size_mb:.0f} MB"
    result.add("reader", reader["seconds"], "s", f"pyarrow, streaming; {note}; target < 10 s")
    result.add("csv loop", loop["seconds"], "s", "csv module, row by row, same result")
    result.add("csv loop / reader", loop["seconds"] / reader["seconds"], "x", "same process kind, same file")
    result.add(
        "bare csv reading",
        floor["seconds"],
        "s",
        f"csv module reading every row, criteria on raw text, no checks: the floor of any csv loop "
        f"({floor['seconds'] / reader['seconds']:.1f}x the reader)",
    )
    result.add(
        "reader peak memory",
        reader["peak_mb"],
        "MB",
        f"whole process (+{reader['peak_mb'] - reader['before_mb']:.0f} MB while reading); target < 200",
    )
    result.add("csv loop peak memory", loop["peak_mb"], "MB", "whole process")
    result.add(
        "file generation", generated, "s", f"{written.rows} rows written by sandbox/kvk_bulk.py (not timed above)"
    )
    return result


if __name__ == "__main__":
    _phase(sys.argv[1], sys.argv[2])
