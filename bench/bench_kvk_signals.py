"""A week of KvK change signals through Odoo: 25,000 signals, 20,000 followed contacts, 50 profiles.

One run creates its own database with kvk_connector and, in a fresh process, a sandbox whose
Mutatieservice emits ``SIGNALS`` signals spread over the last week for a register of the
listed companies plus a bulk population of ``POPULATION`` companies; ``FOLLOWED`` of those
are contacts followed for changes, and ``PROFILES`` profiles (postcode range and SBI codes)
offer new registrations.  Then:

* **poll**: the job reads every page of the week (500 signals a page) and keeps each signal once;
* **triage**: three SQL statements sort the signals into followed registrations, new
  registrations for a profile, and the rest (no call at all);
* **processing**: the signals that concern someone: their details (free), one paid call per
  registration whose change a contact holds, the register store, review items;
* **baseline**: "fetch a profile for every signal": a paid Basisprofiel call per signal
  through the same seam (cache off), applied to the followed contacts as the refresh does.

Paid calls are compared with the registrations that really need one, counted from the
sandbox's own signals (not from the addon's decisions): a followed registration whose
signals change a block a Basisprofiel shows (the enterprise, the owner, its main branch, a
legal-form change, a continuation), and a new registration that matches a profile (its
facts as its own signal gives them).  ORM writes are the records the ORM created
or wrote during each phase.
"""

import json
import sys
import time
from datetime import datetime, timedelta, timezone

from .common import Result, odoo_cursor, odoo_database, run_phase

SIGNALS = 25_000
FOLLOWED = 20_000
POPULATION = 200_000
PROFILES = 50
BATCH = 500
# The baseline's paid calls are made for this many of the signals (the first ones) and scaled to all.
BASELINE_SAMPLE = 5_000


def _count_orm_writes():
    """Patch the ORM to count the records it creates and writes; returns the counter."""
    from odoo import api, models

    counter = {"create": 0, "write": 0}
    create, write = models.BaseModel.create, models.BaseModel.write

    @api.model_create_multi
    def counting_create(self, vals_list):
        records = create(self, vals_list)
        counter["create"] += len(records)
        return records

    def counting_write(self, vals):
        counter["write"] += len(self)
        return write(self, vals)

    models.BaseModel.create = counting_create
    models.BaseModel.write = counting_write
    return counter


def _setup(env, sandbox):
    from sandbox.services.kvk_population import PLACES, branch_number, kvk_number

    company = env.company
    env["ir.config_parameter"].set_param("register_connectors.sandbox_url", sandbox.url)
    company.write(
        {"kvk_mode": "sandbox", "kvk_api_key": "sandbox-bench", "kvk_use_mutaties": True, "kvk_cache_hours": 0,
         "kvk_monthly_cap": 0}
    )  # fmt: skip
    Partner = env["res.partner"].with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
    numbers = [kvk_number(index) for index in range(FOLLOWED)]
    for start in range(0, FOLLOWED, 1000):
        partners = Partner.create(
            [
                {"name": f"Followed {kvk}", "is_company": True, "company_registry": kvk,
                 "kvk_branch_number": branch_number(kvk), "kvk_registration_kind": "hoofdvestiging",
                 "kvk_linked": True, "kvk_company_id": company.id}
                for kvk in numbers[start : start + 1000]
            ]
        )  # fmt: skip
        env["kvk.enrolment"].create(
            [
                {"company_id": company.id, "partner_id": p.id, "kvk_number": p.company_registry, "source": "bulk"}
                for p in partners
            ]
        )
    sbi = ["62", "47", "56", "43", "69", "86", "10", "41", "49", "85"]
    profiles = []
    for index in range(PROFILES):
        place = PLACES[index % len(PLACES)]
        profiles.append(
            {"name": f"Profile {index}", "company_id": company.id, "postcodes": f"{place[2]}-{place[3]}",
             "sbi_include": " ".join(sbi[index % len(sbi) : index % len(sbi) + 3]), "offer_new": True}
        )  # fmt: skip
    env["kvk.profile"].create(profiles)
    env.cr.commit()
    return set(numbers)


def _emit(sandbox):
    mutaties = sandbox.services["kvk"].mutaties
    mutaties.reset()
    mutaties.settings["population"] = POPULATION
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    moments = [
        now - timedelta(days=7) + (timedelta(days=7) - timedelta(seconds=5)) * i / SIGNALS for i in range(SIGNALS)
    ]
    emitted = mutaties.emit(SIGNALS, moments)
    return emitted, time.perf_counter() - started


def _needed(signals, followed, profiles):
    """What really needs a paid call, from the sandbox's own signals (not from the addon's decisions)."""
    from odoo.addons.kvk_connector.clients.kvk_criteria import Candidate, legal_form_key

    from sandbox.services.kvk_population import PLACES

    registrations, new_matching, continued = set(), set(), set()
    relevant_signals = 0
    for signal in signals:
        detail = json.loads(signal.detail)["signaal"]
        if signal.kvk not in followed:
            continue
        if (
            signal.type == "continuation"
            and detail["voortzettingEnOverdracht"]["rolBijVoortzettingOverdracht"]["code"] == "VG"
        ):
            continued.add(detail["voortzettingEnOverdracht"]["kvkNummer"])
        about = detail["heeftBetrekkingOp"]
        main = next(
            (b["vestigingsnummer"] for b in about.get("wordtUitgeoefendIn", []) if b.get("isHoofdvestiging")), ""
        )
        needs = False
        if signal.type == "changed":
            hint = detail.get("heeftGewijzigdeGegevens") or {}
            branches = [b["vestigingsnummer"] for b in (hint.get("vestigingen") or {}).get("gewijzigdevestigingen", [])]
            needs = bool(hint.get("maOnderneming") or hint.get("eigenaar") or main in branches)
        elif signal.type == "branch":
            needs = bool(detail["heeftGewijzigdeVestiging"].get("isHoofdvestiging"))
        elif signal.type == "legal_form":
            needs = True
        elif signal.type == "continuation":
            needs = detail["voortzettingEnOverdracht"]["rolBijVoortzettingOverdracht"]["code"] == "VG"
        if needs:
            relevant_signals += 1
            registrations.add(signal.kvk)
    for signal in signals:
        if signal.type != "new" or signal.kvk in continued:
            continue
        # the registration as the signal found it (its own detail)
        about = json.loads(signal.detail)["signaal"]["heeftBetrekkingOp"]
        owner = about["heeftAlsEigenaar"].get("rechtspersoon") or about["heeftAlsEigenaar"].get("natuurlijkPersoon")
        main = next(b for b in about["wordtUitgeoefendIn"] if b["isHoofdvestiging"])
        activities = owner.get("activiteiten") or main.get("activiteiten") or []
        postcode = (main.get("bezoekadres") or owner.get("bezoekadres") or {}).get("postcode") or {}
        digits = int(postcode.get("cijfercombinatie") or 0)
        place = next((p[0] for p in PLACES if p[2] <= digits <= p[3]), "")  # where the sandbox put it
        candidate = Candidate(
            "basisprofiel",
            signal.kvk,
            sbi_main=next((a["sbiCode"] for a in activities if a["isHoofdactiviteit"]), ""),
            postcode=f"{postcode.get('cijfercombinatie', '')}{postcode.get('lettercombinatie', '')}",
            city=place,
            municipality=place,
            legal_form=legal_form_key(owner.get("persoonRechtsvorm")),
            employees=about.get("totaalWerkzamePersonen"),
        )
        if any(criteria.decide(candidate).verdict for criteria in profiles):
            relevant_signals += 1
            new_matching.add(signal.kvk)
    return {"registrations": len(registrations), "new": len(new_matching), "signals": relevant_signals}


def _measure(env):
    from sandbox import start_in_thread

    sandbox = start_in_thread()
    try:
        followed = _setup(env, sandbox)
        emitted, emit_seconds = _emit(sandbox)
        counter = _count_orm_writes()
        Job = env["kvk.signal.job"].with_company(env.company)
        Log = env["kvk.query.log"]
        subscription = env["kvk.subscription"]._kvk_for_company(env.company)
        Job._kvk_find_subscription(subscription)
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        env.cr.commit()
        started = time.perf_counter()
        received = Job._kvk_poll(subscription, now)
        poll_seconds = time.perf_counter() - started
        env.cr.commit()
        started = time.perf_counter()
        triaged = Job._kvk_triage(subscription)
        triage_seconds = time.perf_counter() - started
        triage_writes = dict(counter)
        env.cr.commit()
        started = time.perf_counter()
        rounds = 0
        while Job._kvk_groups_count(subscription):
            Job._kvk_process(subscription, BATCH)
            env.cr.commit()
            rounds += 1
        process_seconds = time.perf_counter() - started
        writes = {key: counter[key] - triage_writes[key] for key in counter}
        paid = Log.search_count([("product", "in", ("basisprofiel", "vestigingsprofiel")), ("state", "=", "done"),
                                 ("channel", "=", "signal")])  # fmt: skip
        free = {
            product: Log.search_count([("product", "=", product), ("channel", "=", "signal")])
            for product in ("signalen", "signaal", "zoeken")
        }
        profiles = [profile._kvk_criteria() for profile in env["kvk.profile"].search([])]
        needed = _needed(emitted, followed, profiles)
        items = env["kvk.review"].search_count([])
        states = dict(env["kvk.signal"]._read_group([], ["state"], ["__count"]))
        # the baseline: a paid profile for every signal, applied to the contacts that follow it
        signals = env["kvk.signal"].search_read([], ["kvk_number"], order="id", limit=BASELINE_SAMPLE)
        service = env["kvk.service"].with_context(kvk_fresh=True)
        partners = {p.company_registry: p for p in env["res.partner"].search([("kvk_enrolment_ids", "!=", False)])}
        before = dict(counter)
        baseline_calls = 0
        started = time.perf_counter()
        for signal in signals:
            try:
                profile = service._fetch_profile(signal["kvk_number"], "", "hoofdvestiging", channel="signal")
            except Exception:  # noqa: BLE001 - a registration the register no longer gives: still a call
                baseline_calls += 1
                continue
            baseline_calls += 1
            partner = partners.get(signal["kvk_number"])
            if partner:
                partner._kvk_refresh_apply(profile)
        baseline_seconds = time.perf_counter() - started
        baseline_writes = {key: counter[key] - before[key] for key in counter}
        env.cr.rollback()
        return {
            "emitted": len(emitted),
            "emit_seconds": emit_seconds,
            "received": received,
            "triaged": triaged,
            "poll_seconds": poll_seconds,
            "triage_seconds": triage_seconds,
            "process_seconds": process_seconds,
            "rounds": rounds,
            "writes": writes,
            "paid": paid,
            "free": free,
            "needed": needed,
            "items": items,
            "states": states,
            "baseline_seconds": baseline_seconds,
            "baseline_calls": baseline_calls,
            "baseline_writes": baseline_writes,
        }
    finally:
        sandbox.stop()


def _run_phase(database):
    import logging

    logging.getLogger("odoo.addons.kvk_connector").setLevel(logging.WARNING)
    logging.getLogger("sandbox").setLevel(logging.WARNING)
    with odoo_cursor(database) as env:
        outcome = _measure(env)
    print(json.dumps(outcome))


def run():
    result = Result(f"kvk signals {SIGNALS // 1000}k / {FOLLOWED // 1000}k followed")
    with odoo_database("kvk_connector", "kvk_signals") as database:
        data = run_phase("bench.bench_kvk_signals", database)
    needed = data["needed"]
    expected = needed["registrations"] + needed["new"]
    triaged = data["triaged"]
    result.add(
        "triage",
        data["triage_seconds"],
        "s",
        f"SQL over {data['received']} signals: {triaged['enrolled']} followed, {triaged['candidates']} new for a "
        f"profile, {triaged['unrelated']} nobody's (no call); target < 10 s",
    )
    result.add("poll", data["poll_seconds"], "s", f"{data['free']['signalen']} pages of 500 read and stored once")
    result.add(
        "processing",
        data["process_seconds"],
        "s",
        f"{data['free']['signaal']} free details, {data['free']['zoeken']} free searches, {data['paid']} paid calls, "
        f"{data['items']} review items",
    )
    result.add(
        "paid calls",
        data["paid"],
        "calls",
        f"needed: {expected} ({needed['registrations']} followed registrations whose change a contact holds, "
        f"{needed['new']} new registrations matching a profile, from {needed['signals']} signals); "
        f"{'equal' if data['paid'] == expected else 'NOT EQUAL'}",
    )
    writes = data["writes"]["create"] + data["writes"]["write"]
    result.add(
        "ORM writes", writes, "records", f"{data['writes']['create']} created, {data['writes']['write']} written"
    )
    scale = data["received"] / data["baseline_calls"]
    baseline_seconds = data["baseline_seconds"] * scale
    baseline_writes = (data["baseline_writes"]["create"] + data["baseline_writes"]["write"]) * scale
    result.add(
        "baseline",
        baseline_seconds,
        "s",
        f"a paid profile for every signal: {data['received']} paid calls, about {baseline_writes:.0f} ORM records "
        f"written (measured on {data['baseline_calls']} signals: {data['baseline_seconds']:.1f} s, scaled)",
    )
    total = data["poll_seconds"] + data["triage_seconds"] + data["process_seconds"]
    result.add(
        "baseline / ours", baseline_seconds / total, "x", f"ours in all: {total:.1f} s (poll, triage, processing)"
    )
    saved = data["received"] - data["paid"]
    result.add("paid calls saved", saved, "calls", f"a week; at EUR 0.019 a call: EUR {0.019 * saved:.2f}")
    return result


if __name__ == "__main__":
    _run_phase(sys.argv[1])
