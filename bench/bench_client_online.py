"""ClientOnline folder scan through Odoo: a first scan of 10,000 files, and a rescan of them unchanged.

One run creates its own database with client_online_connector and, in a fresh
process (rolled back afterwards), fills a folder with 10,000 files like an
office's "to portal" folder (XBRL declarations and PDFs of 2 to 60 KB, built
from a fixed seed), then times, in the same process and alternating, ``REPEAT``
times each:

* reading those files once (open, read to the end, close): the least any pickup
  must do, the baseline of the first scan;
* the addon's first scan (``client.online.folder.file._client_online_scan``)
  with an empty index: listing and ``stat`` of every file.  The scan reads no
  file; each is read once, when it is picked up, and hashed then;
* the first pass over the files as a whole: that scan, then every file read
  and hashed once as the pickup reads it (``read_stable``), without making the
  documents;
* rehashing every file (what a scan without an index would do on every run):
  the baseline of the rescan;
* the addon's rescan of the same, unchanged files against an index that holds
  all of them as picked up (10,000 rows, as the pickup leaves them, written
  here in one COPY without making the documents).

The files are in the page cache for every figure (they were just written), so
the ratios compare the work of the code, not the disk.  Targets: a first scan at
most 1.5 times reading the files once, and a rescan under 1 second.
"""

import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

from .common import Result, odoo_cursor, odoo_database, run_phase

FILES = 10_000
REPEAT = 3
CHUNK = 1024 * 1024


def make_folder(path, count=FILES, seed=20251):
    """``count`` files of 2 to 60 KB: XBRL declarations and PDFs, named as an office names them."""
    from datetime import date

    from sandbox.services import clientonline_data as samples

    rng = random.Random(seed)
    total = 0
    for index in range(count):
        if index % 3 == 0:
            facts = rng.randint(10, 500)
            start = date(2024, rng.randint(1, 12), 1)
            content = samples.ob_declaration(f"{rng.randint(10**8, 10**9 - 1)}B01", start, start, extra_facts=facts)
            name = f"ob-{index:05d}.xbrl"
        else:
            size = rng.randint(2 * 1024, 60 * 1024)
            content = b"%PDF-1.4\n" + rng.randbytes(size) + b"\n%%EOF\n"
            name = f"{rng.randint(10**7, 10**8 - 1)}_document-{index:05d}.pdf"
        with open(os.path.join(path, name), "wb") as handle:
            handle.write(content)
        total += len(content)
    return total


def read_once(path):
    """Open, read to the end and close every file of ``path``: the least any pickup does."""
    buffer = bytearray(CHUNK)
    read = 0
    for name in os.listdir(path):
        with open(os.path.join(path, name), "rb", buffering=0) as handle:
            while size := handle.readinto(buffer):
                read += size
    return read


def timed(call):
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def _measure(env):
    from odoo.addons.client_online_connector.clients import folder as folder_tools

    inbox = tempfile.mkdtemp(prefix="bench-client-online-")
    try:
        total = make_folder(inbox)
        company = env.company
        company.write(
            {
                "client_online_folder_inbox": inbox,
                "client_online_settle_seconds": 0,
                "client_online_pick_xbrl": True,
                "client_online_pick_pdf": True,
            }
        )
        FolderFile = env["client.online.folder.file"]
        cr = env.cr

        def empty_index():
            cr.execute("DELETE FROM client_online_folder_file WHERE company_id = %s", [company.id])
            FolderFile.invalidate_model()

        def index_all_as_picked(hashes):
            lines = "".join(
                f"{company.id}\t{seen.name}\t{seen.key}\t{seen.size}\t{hashes[seen.name]}\tpicked\n" for seen in pending
            )
            cr.copy_expert(
                "COPY client_online_folder_file (company_id, name, stat_key, file_size, content_hash, state)"
                " FROM STDIN",
                io.StringIO(lines),
            )
            FolderFile.invalidate_model()

        def rehash_all():
            return [folder_tools.content_hash_of(os.path.join(inbox, name)) for name in os.listdir(inbox)]

        time.sleep(0.1)  # every file's change time behind the settle time of 0 s
        read_once(inbox)  # warm-up: every figure runs from the page cache

        def read_and_hash():
            return {s.name: folder_tools.read_stable(os.path.join(inbox, s.name), s.key)[1] for s in pending}

        reads, first_scans, first_passes, rehashes, rescans = [], [], [], [], []
        for _ in range(REPEAT):
            seconds, read = timed(lambda: read_once(inbox))
            assert read == total
            reads.append(seconds)
            empty_index()
            seconds, outcome = timed(lambda: FolderFile._client_online_scan(company))
            assert not outcome.problems, outcome.problems
            pending = outcome.pending
            assert len(pending) == FILES, len(pending)
            first_scans.append(seconds)
            seconds, hashes = timed(read_and_hash)
            assert len(hashes) == FILES
            first_passes.append(first_scans[-1] + seconds)
            seconds, rehashed = timed(rehash_all)
            assert len(rehashed) == FILES
            rehashes.append(seconds)
            index_all_as_picked(hashes)
            seconds, outcome = timed(lambda: FolderFile._client_online_scan(company))
            assert not outcome.pending and not outcome.problems, "an unchanged file is not ready again"
            rescans.append(seconds)
        return {
            "files": FILES,
            "bytes": total,
            "read_once": reads,
            "first_scan": first_scans,
            "first_pass": first_passes,
            "rehash_all": rehashes,
            "rescan": rescans,
        }
    finally:
        shutil.rmtree(inbox, ignore_errors=True)


def _run_phase(database):
    with odoo_cursor(database) as env:
        outcome = _measure(env)
        env.cr.rollback()
    print(json.dumps(outcome))


def run():
    result = Result("clientonline folder scan")
    with odoo_database("client_online_connector", "clientonline") as database:
        data = run_phase("bench.bench_client_online", database)
    read = statistics.median(data["read_once"])
    first = statistics.median(data["first_scan"])
    rehash = statistics.median(data["rehash_all"])
    rescan = statistics.median(data["rescan"])
    first_pass = statistics.median(data["first_pass"])
    megabytes = data["bytes"] / 1024 / 1024
    files = f"{data['files']:,} files, {megabytes:.0f} MB"
    result.add("first scan", first, "s", f"{files}; median of {REPEAT}")
    result.add("reading them once", read, "s", "baseline: open, read, close each file")
    result.add("first scan / read once", first / read, "x", "target: at most 1.5; the scan lists and stats")
    result.add(
        "scan + read, hash / read",
        first_pass / read,
        "x",
        f"{first_pass:.2f} s: each file read and hashed once (SHA-256 alone: {rehash - read:.2f} s over the read)",
    )
    result.add("rescan, unchanged", rescan, "s", "target: under 1 s; index keyed on name, size and time")
    result.add("rehashing everything", rehash, "s", f"baseline of the rescan: {rehash / rescan:.0f}x the rescan")
    return result


if __name__ == "__main__":
    _run_phase(sys.argv[1])
