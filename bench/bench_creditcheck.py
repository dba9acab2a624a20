"""CreditCheck's nightly complete refresh at full scale, against two references.

One run creates its own database with creditcheck_semaphore, 200,000 Czech partners
and yesterday's statuses (a first refresh, untimed), then applies today's
1,000,000-line GetCreditChecksCompressed answer (zip, then Base64, in its SOAP
envelope) three ways, each in a fresh process and rolled back afterwards:

* **project**: ``creditcheck.sync._run(..., answer=...)``, the code the cron runs
  after the download: streaming decode, validation of every line, COPY into a
  temporary table, one statement per step, sync log;
* **ORM loop**: the straightforward version, line by line: parse, search the
  partner and the status row, write what differs; then the partners no longer in
  the list back to green.  It runs on the first ``ORM_SAMPLE`` lines and is
  extrapolated linearly to the whole file (the green pass runs in full);
* **SQL floor**: PostgreSQL's own COPY of the unpacked text file plus one UPDATE
  of the partners, with no decoding, no validation, no status table and no log.

Wall time and peak memory (resident set of the process, and its growth during
the phase) for each, and the ratios.  The download itself (about 10 MB over
HTTP) is left out of all three.

Then the answer parser alone, each run in a fresh process without Odoo: an
answer built on the fly that unpacks to 16 MiB and one that unpacks to the
configured cap (256 MiB), zipped and plain (one CDATA section, escaped in the
SOAP envelope): the peak resident set must not grow with the answer.
"""

import base64
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from .common import Result, odoo_cursor, odoo_database, run_phase

LINES = 1_000_000
PARTNERS = 200_000
PARTNER_STRIDE = 6  # partner k has the IČO of subject 6k: subjects 0..1,199,994
ORM_SAMPLE = 5_000
CHANGED_SHARE = 0.03


def _ico(index):
    from sandbox.services.creditcheck_data import Population, Settings

    if not hasattr(_ico, "population"):
        _ico.population = Population(1, "cz", Settings())
    return _ico.population.ico(index)


def _lines(first, count, changed=False):
    """Subject ``index`` has the same line every day, except CHANGED_SHARE of them today."""
    for index in range(first, first + count):
        record_id = 5_000_000 + index * 4
        status = 2 if random.Random(index).random() < 0.7 else 3
        if changed and random.Random(-index).random() < CHANGED_SHARE:
            record_id += 1
            status = 5 - status
        yield f"{record_id};{_ico(index)};{status}"


def _answer(lines):
    """A GetCreditChecksCompressed SOAP answer holding ``lines``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("data.xml", "w") as out:
        out.write(b"<creditCheck><version>1.0</version><webMethod>GetCreditChecks</webMethod><data><![CDATA[")
        chunk = []
        for line in lines:
            chunk.append(line)
            if len(chunk) == 10_000:
                out.write(("\n".join(chunk) + "\n").encode())
                chunk = []
        out.write(("\n".join(chunk)).encode())
        out.write(b"]]></data></creditCheck>")
    return (
        b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        b'<soap:Body><GetCreditChecksCompressedResponse xmlns="http://creditcheck.cz/">'
        b"<GetCreditChecksCompressedResult>"
        + base64.b64encode(buffer.getvalue())
        + b"</GetCreditChecksCompressedResult></GetCreditChecksCompressedResponse></soap:Body></soap:Envelope>"
    )


# -- the phases, each in its own process ---------------------------------------------------


class _Peak:
    """The resident set's peak while a phase runs, sampled every 20 ms."""

    def __init__(self):
        import psutil

        self.process = psutil.Process()
        self.before = self.process.memory_info().rss
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(0.02)

    def stop(self):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
        return self.peak / 2**20, (self.peak - self.before) / 2**20


def _phase_setup(env, work):
    cr = env.cr
    czech = env.ref("base.cz").id
    icos = [_ico(k * PARTNER_STRIDE) for k in range(PARTNERS)]
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, company_registry, country_id, creditcheck_ico,
                                 creditcheck_country, creditcheck_state, active, is_company, type,
                                 autopost_bills, create_date, write_date)
        SELECT 'Bench ' || n, 'Bench ' || n, ico, %s, ico, 'cz', 'grey', true, true, 'contact', 'ask',
               now() at time zone 'UTC', now() at time zone 'UTC'
          FROM unnest(%s::varchar[]) WITH ORDINALITY AS t(ico, n)
        """,
        [czech, icos],
    )
    cr.execute("ANALYZE res_partner")
    # yesterday: subjects 20,000 .. 1,019,999
    log = env["creditcheck.sync"]._run("cz", "complete", answer=(work / "yesterday.xml").read_bytes())
    cr.execute("UPDATE res_partner SET creditcheck_notify_pending = NULL, creditcheck_digest_pending = NULL")
    cr.execute("ANALYZE creditcheck_status")
    cr.commit()
    return {"state": log.state, "error": log.error or "", "changed": log.partners_changed}


def _phase_project(env, work):
    answer = (work / "today.xml").read_bytes()
    log = env["creditcheck.sync"]._run("cz", "complete", answer=answer)
    env.cr.execute("SELECT count(*) FROM res_partner WHERE creditcheck_state = 'green'")
    return {
        "state": log.state,
        "error": log.error or "",
        "read": log.lines_read,
        "applied": log.lines_applied,
        "changed": log.partners_changed,
        "green": env.cr.fetchone()[0],
    }


def _phase_orm(env, work):
    from odoo.addons.creditcheck_semaphore.clients import ParseReport
    from odoo.addons.creditcheck_semaphore.clients.creditcheck_parser import byte_chunks, iter_answer_lines

    partners, statuses = env["res.partner"], env["creditcheck.status"]
    names = {1: "green", 2: "orange", 3: "red"}
    report = ParseReport()
    seen = set()
    started = time.perf_counter()
    done = 0
    for line in iter_answer_lines(byte_chunks((work / "today.xml").read_bytes()), report):
        seen.add(line.ico)
        row = statuses.search([("country", "=", "cz"), ("ico", "=", line.ico)])
        if row and (row.status, row.record_id) != (line.status, str(line.record_id)):
            row.write({"status": line.status, "record_id": str(line.record_id)})
        elif not row:
            statuses.create({"country": "cz", "ico": line.ico, "status": line.status, "record_id": str(line.record_id)})
        for partner in partners.search([("creditcheck_ico", "=", line.ico), ("creditcheck_country", "=", "cz")]):
            if (partner.creditcheck_state, partner.creditcheck_record_id) != (names[line.status], str(line.record_id)):
                partner.write({"creditcheck_state": names[line.status], "creditcheck_record_id": str(line.record_id)})
        done += 1
        if done == ORM_SAMPLE:
            break
    env.flush_all()
    per_line = (time.perf_counter() - started) / done
    # The partners no longer in the list go back to green: the full pass, not a sample.
    started = time.perf_counter()
    icos = {line.ico for line in iter_answer_lines(byte_chunks((work / "today.xml").read_bytes()), report)}
    gone = partners.search([("creditcheck_country", "=", "cz"), ("creditcheck_state", "in", ("orange", "red"))])
    gone = gone.filtered(lambda partner: partner.creditcheck_ico not in icos)
    for partner in gone:
        statuses.search([("country", "=", "cz"), ("ico", "=", partner.creditcheck_ico)]).unlink()
        partner.write({"creditcheck_state": "green", "creditcheck_record_id": False})
    env.flush_all()
    green_pass = time.perf_counter() - started
    return {"per_line": per_line, "sample": done, "green_pass": green_pass, "green": len(gone)}


def _phase_floor(env, work):
    cr = env.cr
    cr.execute("CREATE TEMP TABLE floor_load (record_id bigint, ico varchar(8), status smallint)")
    with open(work / "today.txt") as text:
        cr.copy_expert("COPY floor_load FROM STDIN WITH (FORMAT csv, DELIMITER ';')", text)
    cr.execute(
        """
        UPDATE res_partner p
           SET creditcheck_state = CASE l.status WHEN 3 THEN 'red' WHEN 2 THEN 'orange' ELSE 'green' END,
               creditcheck_record_id = l.record_id::varchar
          FROM floor_load l
         WHERE p.creditcheck_ico = l.ico AND p.creditcheck_country = 'cz'
        """
    )
    return {"updated": cr.rowcount}


PHASES = {"setup": _phase_setup, "project": _phase_project, "orm": _phase_orm, "floor": _phase_floor}
PARSE_SMALL = 16 * 1024 * 1024


def _parse(shape, size):
    """In its own process: parse an answer of ``size`` unpacked bytes built on the fly; peak memory and time."""
    import importlib.util
    import resource

    from sandbox.services.creditcheck import line_block, sized_answer

    # the addon's clients package on its own, without Odoo (as the repository's tests load it)
    folder = Path(__file__).resolve().parent.parent / "creditcheck_semaphore" / "clients"
    spec = importlib.util.spec_from_file_location(
        "cc_clients", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    cc = importlib.util.module_from_spec(spec)
    sys.modules["cc_clients"] = cc
    spec.loader.exec_module(cc)
    chunks, expected = sized_answer(shape, size, line_block())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    report = cc.ParseReport()
    lines = sum(1 for _ in cc.iter_answer_lines(chunks, report, cc.creditcheck_parser.DEFAULT_MAX_DECOMPRESSED))
    seconds = time.perf_counter() - started
    if lines != expected or report.rejected:
        raise RuntimeError(f"{lines} lines of {expected}, {report.rejected} rejected")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "before_mb": before, "lines": lines}))


def _parser_figures(result):
    from bench.common import ROOT, subprocess_env

    cap = 256 * 1024 * 1024
    figures = {}
    for shape, size in (("zip", PARSE_SMALL), ("zip", cap), ("plain", PARSE_SMALL), ("plain", cap)):
        proc = subprocess.run(
            [sys.executable, "-m", "bench.bench_creditcheck", "parse", shape, str(size)],
            cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode:
            raise RuntimeError(f"parsing a {shape} answer of {size} bytes failed:\n{proc.stderr}")
        figures[shape, size] = json.loads(proc.stdout.strip().splitlines()[-1])
    for shape, label in (("zip", "zipped"), ("plain", "plain")):
        small, large = figures[shape, PARSE_SMALL], figures[shape, cap]
        result.add(
            f"parser peak, {label}",
            large["peak_mb"],
            "MB",
            f"answer unpacking to the 256 MiB cap ({large['lines']:,} lines, {large['seconds']:.0f} s), "
            f"+{large['peak_mb'] - large['before_mb']:.0f} MB while parsing; 16 MiB answer: {small['peak_mb']:.0f} MB; "
            "target < 150 and no growth",
        )


def _run_phase(name, database, work):
    with odoo_cursor(database, {"creditcheck_no_commit": True}) as env:
        cr = env.cr
        peak = _Peak()
        started = time.perf_counter()
        outcome = PHASES[name](env, Path(work))
        env.flush_all()
        seconds = time.perf_counter() - started
        peak_mb, growth_mb = peak.stop()
        if name != "setup":
            cr.rollback()
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "growth_mb": growth_mb, **outcome}))


def _phase(name, database, work):
    # Every phase starts from the same committed state, with the dead rows of the
    # earlier phases' rolled-back updates vacuumed away and fresh statistics.
    subprocess.run(
        ["psql", "-q", "-d", database, "-c", "VACUUM ANALYZE res_partner, creditcheck_status"],
        env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"),
        check=True,
    )
    return run_phase("bench.bench_creditcheck", name, database, work)


def run():
    result = Result("creditcheck 1M lines / 200k partners")
    with tempfile.TemporaryDirectory(prefix="bench-creditcheck-") as tmp:
        work = Path(tmp)
        (work / "yesterday.xml").write_bytes(_answer(_lines(20_000, LINES)))
        (work / "today.xml").write_bytes(_answer(_lines(0, LINES, changed=True)))
        with open(work / "today.txt", "w") as text:
            for line in _lines(0, LINES, changed=True):
                text.write(line + "\n")
        with odoo_database("creditcheck_semaphore", "creditcheck") as database:
            setup = _phase("setup", database, work)
            if setup["state"] != "done":
                raise RuntimeError(f"setting up yesterday's statuses failed: {setup['error']}")
            project = _phase("project", database, work)
            if project["state"] != "done":
                raise RuntimeError(f"the project's sync failed: {project['error']}")
            orm = _phase("orm", database, work)
            floor = _phase("floor", database, work)
    orm_seconds = orm["per_line"] * LINES + orm["green_pass"]
    result.add(
        "project sync",
        project["seconds"],
        "s",
        f"{project['read']} lines read, {project['changed']} partners changed; "
        f"peak RSS {project['peak_mb']:.0f} MB (+{project['growth_mb']:.0f} MB during the sync)",
    )
    result.add(
        "ORM loop",
        orm_seconds,
        "s",
        f"extrapolated: {orm['sample']} lines timed ({orm['per_line'] * 1000:.2f} ms/line) x {LINES} "
        f"+ full green pass {orm['green_pass']:.1f} s; peak RSS {orm['peak_mb']:.0f} MB",
    )
    result.add(
        "SQL floor",
        floor["seconds"],
        "s",
        f"COPY of the unpacked text + one UPDATE ({floor['updated']} partners); peak RSS {floor['peak_mb']:.0f} MB",
    )
    result.add("ORM loop / project", orm_seconds / project["seconds"], "x", "target >= 20")
    result.add("project / SQL floor", project["seconds"] / floor["seconds"], "x", "target <= 3")
    result.add("project peak memory", project["peak_mb"], "MB", "resident set of the whole Odoo process; target < 300")
    result.add("project memory growth", project["growth_mb"], "MB", "peak minus the resident set before the sync")
    _parser_figures(result)
    return result


if __name__ == "__main__":
    if sys.argv[1] == "parse":
        _parse(sys.argv[2], int(sys.argv[3]))
    else:
        _run_phase(*sys.argv[1:4])
