"""KvK search-and-apply through Odoo against the sandbox: Odoo's own cost per call, and the cache.

One run creates its own database with kvk_connector, starts a sandbox, and then, in
a fresh process (rolled back afterwards), does what a salesperson does ``ROUNDS``
times for different synthetic companies: "Search register" by KvK number, pick the
main branch (a paid Basisprofiel call), apply to a new contact.  For each round the
wall time is split into the time spent in HTTP calls to the sandbox (as the client
measured them, logged in the query log) and the rest: Odoo's own overhead (wizard,
validation, parsing, preview, writing the contact, chatter, query log).

Then every one of those paid profiles is asked for again (as another salesperson
opening the same company would): the share answered from the cache of paid answers
instead of a new paid call, and the time of a cached answer against a live one.
"""

import json
import statistics
import sys
import time

from .common import Result, median_p95, odoo_cursor, odoo_database, run_phase

ROUNDS = 60


def _measure(env):
    from sandbox import start_in_thread

    sandbox = start_in_thread()
    try:
        env["ir.config_parameter"].set_param("register_connectors.sandbox_url", sandbox.url)
        env.company.write({"kvk_mode": "sandbox", "kvk_api_key": "sandbox-bench", "kvk_cache_hours": 24})
        register = sandbox.services["kvk"].register
        numbers = sorted(k for k, c in register.companies.items() if k.startswith("3") and not c["einde"])[:ROUNDS]
        Log = env["kvk.query.log"]
        totals, http, overhead, sandbox_calls = [], [], [], []
        for kvk in numbers:
            before = Log.search([], order="id desc", limit=1).id or 0
            started = time.perf_counter()
            wizard = env["kvk.search.wizard"].create({"kvk_number": kvk})
            wizard.action_search()
            line = wizard.line_ids.filtered(lambda line: line.kind == "hoofdvestiging")[:1] or wizard.line_ids[:1]
            line.action_select()
            wizard.action_apply()
            env.flush_all()
            total = time.perf_counter() - started
            durations = Log.search([("id", ">", before)]).mapped("duration_ms")
            spent = sum(durations) / 1000
            totals.append(total)
            http.append(spent)
            overhead.append(total - spent)
            sandbox_calls += [d / 1000 for d in durations]
        live = [
            d / 1000
            for d in Log.search([("product", "=", "basisprofiel"), ("state", "=", "done")]).mapped("duration_ms")
        ]
        repeated, cached_times = 0, []
        for kvk in numbers:
            started = time.perf_counter()
            env["kvk.service"]._fetch_profile(kvk)
            cached_times.append(time.perf_counter() - started)
            repeated += 1
        served = Log.search_count([("product", "=", "basisprofiel"), ("state", "=", "cached")])
        paid_after = Log.search_count([("product", "=", "basisprofiel"), ("state", "=", "done")])
        return {
            "rounds": len(numbers),
            "total": totals,
            "http": http,
            "overhead": overhead,
            "sandbox_calls": sandbox_calls,
            "live_profile": live,
            "cached_profile": cached_times,
            "repeated": repeated,
            "served_from_cache": served,
            "paid_calls": paid_after,
        }
    finally:
        sandbox.stop()


def _run_phase(database):
    with odoo_cursor(database) as env:
        outcome = _measure(env)
        env.cr.rollback()
    print(json.dumps(outcome))


def run():
    result = Result("kvk search and apply")
    with odoo_database("kvk_connector", "kvk") as database:
        data = run_phase("bench.bench_kvk", database)
    total_median, total_p95 = median_p95(data["total"])
    over_median, over_p95 = median_p95(data["overhead"])
    http_median, http_p95 = median_p95(data["http"])
    call_median, call_p95 = median_p95(data["sandbox_calls"])
    note = f"{data['rounds']} rounds: search, pick, preview, apply to a new contact"
    result.add("search+apply median", total_median * 1000, "ms", f"p95 {total_p95 * 1000:.1f} ms; {note}")
    result.add("Odoo overhead median", over_median * 1000, "ms", f"p95 {over_p95 * 1000:.1f} ms per round (2 calls)")
    result.add("sandbox HTTP median", http_median * 1000, "ms", f"p95 {http_p95 * 1000:.1f} ms per round (2 calls)")
    result.add("sandbox per call", call_median * 1000, "ms", f"p95 {call_p95 * 1000:.1f} ms; client-measured")
    share = data["served_from_cache"] / data["repeated"] if data["repeated"] else 0.0
    result.add(
        "repeated paid from cache",
        share * 100,
        "%",
        f"{data['served_from_cache']} of {data['repeated']} repeated Basisprofiel calls; "
        f"{data['paid_calls']} paid calls in all",
    )
    cached = statistics.median(data["cached_profile"]) * 1000
    live = statistics.median(data["live_profile"]) * 1000
    result.add(
        "cached profile median", cached, "ms", f"whole fetch through Odoo; a live call's HTTP alone: {live:.2f} ms"
    )
    return result


if __name__ == "__main__":
    _run_phase(sys.argv[1])
