"""A profile import of about 20,000 companies from a KvK bulk file, against one ORM create per partner.

One run creates its own database with kvk_connector and a KvK bulk file (``sandbox/kvk_bulk.py``)
of ``ROWS`` rows, and measures, each in a fresh process on the same file:

* **import**: the profile's import job as the cron runs it: the file read in one streaming pass
  (pyarrow), in batches of 1,000 matching rows, each batch checked against the contacts already
  there (one query), created with one ``create`` of the batch, followed (enrolments), reported
  row by row, and committed with the line it reached;
* **baseline**: the same rows read the same way, then one ``res.partner.create`` and one
  enrolment ``create`` per company (no duplicate guard, no report), rolled back.

Wall time and peak memory (the resident set's high-water mark of the whole process, Odoo
included) of each.
"""

import base64
import json
import sys
import tempfile
import time
from pathlib import Path

from .common import Result, odoo_cursor, odoo_database, run_phase

ROWS = 22_200  # the listed companies' branches, then the population: about 20,000 main branches
BATCH = 1000


def _peak_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def _profile(env, path):
    return env["kvk.profile"].create(
        {
            "name": "Bench import",
            "company_id": env.company.id,
            "main_branches_only": True,
            "bulk_file": base64.b64encode(Path(path).read_bytes()),
            "bulk_filename": "kvk-bulk.csv",
        }
    )


def _phase(name, database, path):
    import logging

    logging.getLogger("odoo.addons.kvk_connector").setLevel(logging.WARNING)
    with odoo_cursor(database) as env:
        profile = _profile(env, path)
        env.cr.commit()
        before = _peak_mb()
        started = time.perf_counter()
        if name == "import":
            profile.action_import()
            env.cr.commit()
            Job = env["kvk.import.job"]
            while Job.search_count([("state", "in", ("queued", "running"))]):
                Job._cron_kvk_import(batch_size=BATCH)
                env.cr.commit()
            seconds = time.perf_counter() - started
            job = profile.import_job_ids
            outcome = {
                "created": job.created_count,
                "linked": job.linked_count,
                "skipped": job.skipped_count,
                "rejected": job.rejected_count,
                "state": job.state,
            }
        else:
            outcome = _baseline(env, profile, path)
            seconds = time.perf_counter() - started
            env.cr.rollback()
        print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), "before_mb": before, **outcome}))


def _baseline(env, profile, path):
    from odoo.addons.kvk_connector.clients import iter_matches

    Partner = env["res.partner"].with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
    Enrolment = env["kvk.enrolment"]
    Import = env["kvk.import.job"]
    company = env.company
    created = 0
    now = env.cr.now()
    for batch in iter_matches(path, profile._kvk_criteria(), batch_size=BATCH):
        for row in batch.rows:
            data = row.profile()
            sbi = Import._kvk_sbi_map([data])
            partner = Partner.create(Partner._kvk_import_vals(data, company, sbi, now))
            Enrolment.create({"company_id": company.id, "partner_id": partner.id, "kvk_number": data.kvk_number})
            created += 1
    return {"created": created}


def run():
    from sandbox import kvk_bulk as generator

    result = Result(f"kvk profile import {ROWS // 1000}k rows")
    with tempfile.TemporaryDirectory(prefix="bench-kvk-import-") as tmp:
        path = Path(tmp) / "kvk-bulk.csv"
        with open(path, "wb") as out:
            generator.write(out, ROWS)
        with odoo_database("kvk_connector", "kvk_import") as database:
            baseline = run_phase("bench.bench_kvk_import", "baseline", database, path)
            ours = run_phase("bench.bench_kvk_import", "import", database, path)
    if ours["state"] != "done" or ours["created"] != baseline["created"]:
        raise RuntimeError(f"the import and the baseline disagree: {ours} / {baseline}")
    result.add(
        "import",
        ours["seconds"],
        "s",
        f"{ours['created']} companies created and followed, {ours['rejected']} rows rejected, batches of {BATCH}",
    )
    result.add("one create per partner", baseline["seconds"], "s", f"{baseline['created']} partners, same rows")
    result.add("baseline / import", baseline["seconds"] / ours["seconds"], "x", "same file, fresh process each")
    result.add(
        "import peak memory",
        ours["peak_mb"],
        "MB",
        f"whole Odoo process (+{ours['peak_mb'] - ours['before_mb']:.0f} MB)",
    )
    result.add(
        "baseline peak memory",
        baseline["peak_mb"],
        "MB",
        f"whole Odoo process (+{baseline['peak_mb'] - baseline['before_mb']:.0f} MB)",
    )
    return result


if __name__ == "__main__":
    _phase(sys.argv[1], sys.argv[2], sys.argv[3])
