"""The change-signal job: read the Mutatieservice per company, keep each signal once, triage in SQL,
and turn the signals that concern a followed registration or a profile into register reads and
review items.

Per company (``with_company``), with that company's subscription, connection, cap and log, one
run at a time (advisory lock).  A run reads the new signals of its window (pages of 500),
triages them in three SQL statements (followed registration, new registration for a profile,
nobody's), then works through a bounded batch of registrations:

1. the signals' details (free) say what changed (the changed-block hint, the branches, the
   reason, the old and new registration);
2. per followed contact, ``SignalRecord.paid_call`` picks the one paid call that shows the
   change (none for officers, filings or another branch); calls are made once per run and
   registration, whatever the number of signals; their answers go into the register store,
   with the history of every changed field, and the signals are marked as read.  Outside
   tests this is committed at once, so that a crash afterwards never pays twice;
3. from the store's history, each contact gets at most one review item (or the fields its
   company applies automatically), and the signals are done.

Malformed signals are kept and flagged; a 429, 5xx or time-out postpones the company's batch
with back-off; the monthly cap holds the signals back until it lifts.
"""

import json
import logging
import threading
import zlib
from datetime import datetime, timedelta, timezone

from psycopg2.extras import execute_values

from odoo import api, fields, models

from ..clients import PAID_PRODUCTS, Candidate, CriteriaError, KvkError
from ..clients.kvk_criteria import legal_form_key
from .kvk_signal import SIGNAL_ATTEMPTS

_logger = logging.getLogger(__name__)

SIGNAL_LOCK = zlib.crc32(b"kvk_connector.signals") & 0x7FFFFFFF
PAGE_SIZE = 500
# KvK adds a signal within about 15 minutes of the change: each window starts this much earlier.
OVERLAP = timedelta(minutes=20)
FIRST_WINDOW = timedelta(days=7)
POLL_EVERY = timedelta(minutes=5)
# Codes that stop the whole company's run and back off (the register or the key), not one registration.
COMPANY_FAULTS = ("unauthorized", "forbidden", "rate_limited", "timeout", "network", "IPD1002", "IPD1003")


class KvkSignalJob(models.AbstractModel):
    _name = "kvk.signal.job"
    _description = "KvK Change Signal Job"

    # -- the cron ------------------------------------------------------------------------------------

    @api.model
    def _cron_kvk_signals(self, batch=200):
        """One batch per company that uses change signals; re-triggered while work is left.  Each
        company's run is recorded with its counts (a run postponed by a fault is not a successful one)."""
        done = remaining = 0
        for company in self.env["res.company"].sudo().search([("kvk_use_mutaties", "=", True)]):
            lang = company.partner_id.lang or "en_US"
            job = self.sudo().with_company(company).with_context(lang=lang, active_test=False)
            started = fields.Datetime.now()
            outcome = job._kvk_run(batch)
            done += outcome["done"]
            remaining += outcome["remaining"]
            if not outcome.get("postponed"):
                self.env["kvk.job.run"]._record(
                    "signals",
                    company,
                    started_at=started,
                    state="skipped" if outcome.get("skipped") else "done",
                    done=outcome["done"],
                    remaining=outcome.get("waiting", 0),
                    read=outcome.get("read", 0),
                    paid=outcome.get("paid", 0),
                    item=outcome.get("items", 0),
                )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining and done:
            self.env.ref("kvk_connector.ir_cron_kvk_connector_signals")._trigger()
        return {"done": done, "remaining": remaining}

    @api.model
    def _kvk_lock(self):
        """This company's signal lock for the transaction; False when another run holds it."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [SIGNAL_LOCK, self.env.company.id])
        return self.env.cr.fetchone()[0]

    @api.model
    def _kvk_commit(self):
        """Commit what was done so far (the register's answers that were paid for), so that a crash
        afterwards costs no second call, and take the lock again; not in a test's own transaction.
        Returns False when another run took the lock meanwhile (it goes on from here)."""
        if getattr(threading.current_thread(), "testing", False):
            return True
        # a worker commits after each registration (see the method's doc); never in a test's own thread,
        # whose transaction the test rolls back
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return self._kvk_lock()

    @api.model
    def _kvk_run(self, batch):
        company = self.env.company
        if not self._kvk_lock():
            _logger.info("KvK signals of company %s skipped: another run is reading them", company.id)
            return {"done": 0, "remaining": 0, "skipped": True}
        subscription = self.env["kvk.subscription"]._kvk_for_company(company)
        now = datetime.now(timezone.utc).replace(tzinfo=None)  # to the microsecond: the window's end
        if subscription.retry_after and subscription.retry_after > now:
            return {"done": 0, "remaining": 0, "postponed": True}
        marks = self._kvk_marks()
        read = 0
        try:
            if not subscription.kvk_id:
                self._kvk_find_subscription(subscription)
            if self._kvk_poll_due(subscription, now):
                read = self._kvk_poll(subscription, now)
            self._kvk_triage(subscription)
            done, stopped = self._kvk_process(subscription, batch)
        except KvkError as error:
            message = self.env["kvk.service"]._error_message(error)
            _logger.info("KvK signals of company %s postponed: %s", company.id, error.code)
            subscription._kvk_failed(error.code, message)
            return {"done": 0, "remaining": 0, "postponed": True}
        subscription._kvk_succeeded()
        self._kvk_purge(subscription)
        remaining = 0 if stopped else self._kvk_groups_count(subscription)
        return {"done": done, "remaining": remaining, "read": read, **self._kvk_counts(marks)}

    @api.model
    def _kvk_marks(self):
        """Where the query log and the inbox stand before a run (their last ids), to count what it adds."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT (SELECT COALESCE(max(id), 0) FROM kvk_query_log), (SELECT COALESCE(max(id), 0) FROM kvk_review)"
        )
        return self.env.cr.fetchone()

    @api.model
    def _kvk_counts(self, marks):
        """What this company's run added since ``marks``: paid calls answered, review items made; and
        the signals that wait for the next run."""
        company = self.env.company.id
        log, review = marks
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT (SELECT count(*) FROM kvk_query_log
                        WHERE id > %(log)s AND company_id = %(company)s AND channel = 'signal' AND state = 'done'
                          AND product IN %(paid)s),
                      (SELECT count(*) FROM kvk_review WHERE id > %(review)s AND company_id = %(company)s),
                      (SELECT count(*) FROM kvk_signal
                        WHERE company_id = %(company)s AND state IN ('pending', 'fetched', 'held', 'error')
                          AND (state != 'error' OR attempts < %(attempts)s))""",
            {
                "log": log,
                "review": review,
                "company": company,
                "paid": tuple(PAID_PRODUCTS),
                "attempts": SIGNAL_ATTEMPTS,
            },
        )
        paid, items, waiting = self.env.cr.fetchone()
        return {"paid": paid, "items": items, "waiting": waiting}

    # -- reading the Mutatieservice --------------------------------------------------------------------

    @api.model
    def _kvk_find_subscription(self, subscription):
        answer = self.env["kvk.service"]._mutatie_subscriptions()
        active = answer.active
        if not active:
            raise KvkError("forbidden", self.env._("The API key has no active Mutatieservice subscription."))
        chosen = active[0]
        subscription.write(
            {"kvk_id": chosen.id, "customer_id": answer.customer_id, "contract_id": chosen.contract_id or False}
        )

    @api.model
    def _kvk_poll_due(self, subscription, now):
        if not subscription.polled_at or self.env.context.get("kvk_poll_now"):
            return True
        if subscription.polled_at <= now - POLL_EVERY:
            return True
        return not self._kvk_groups_count(subscription)

    @api.model
    def _kvk_poll(self, subscription, now):
        """Read every page of the window since the last one (overlapping it) and keep each signal once."""
        since = (subscription.polled_until or now - FIRST_WINDOW) - OVERLAP
        service = self.env["kvk.service"]
        page, received = 1, 0
        while True:
            result = service._mutatie_signal_page(subscription.kvk_id, since, now, page, PAGE_SIZE)
            received += self._kvk_store(subscription, result.signals)
            if not result.has_next or not result.signals:
                break
            page += 1
        subscription.write(
            {"polled_until": now, "polled_at": now, "signal_count": subscription.signal_count + received}
        )
        return received

    @api.model
    def _kvk_store(self, subscription, records):
        """Insert the signals of a page, each once (by its id; a malformed one without an id by its text)."""
        if not records:
            return 0
        rows = []
        now = fields.Datetime.now()
        for record in records:
            listing = json.dumps(record.raw, sort_keys=True, default=str)
            signal_id = record.id or f"malformed-{zlib.crc32(listing.encode()):08x}-{len(listing)}"
            moment = record.timestamp.replace(tzinfo=None) if record.timestamp else None
            rows.append(
                (
                    subscription.company_id.id,
                    subscription.id,
                    signal_id[:64],
                    moment,
                    record.kvk_number[:8] or None,
                    record.branch_number[:12] or None,
                    record.type,
                    record.kvk_type[:80] or None,
                    record.malformed,
                    "\n".join(record.problems) or None,
                    listing,
                    "malformed" if record.malformed else "new",
                    self.env.uid,
                    now,
                    self.env.uid,
                    now,
                )
            )
        self.env.flush_all()
        inserted = execute_values(
            self.env.cr._obj,
            """INSERT INTO kvk_signal (company_id, subscription_id, signal_id, timestamp, kvk_number, branch_number,
                                       signal_type, kvk_type, malformed, problems, listing_json, state,
                                       create_uid, create_date, write_uid, write_date)
               VALUES %s ON CONFLICT (company_id, signal_id) DO NOTHING RETURNING id""",
            rows,
            fetch=True,
        )
        return len(inserted)

    # -- triage in SQL ----------------------------------------------------------------------------------

    @api.model
    def _kvk_triage(self, subscription):
        """Sort the received signals: a followed registration, a new registration some profile may want,
        or nobody's (kept as a counted, purgeable record; no call)."""
        company = subscription.company_id.id
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            """UPDATE kvk_signal s SET state = 'pending', relevance = 'enrolled'
                WHERE s.company_id = %(company)s AND s.state = 'new'
                  AND EXISTS (SELECT 1 FROM kvk_enrolment e WHERE e.company_id = %(company)s
                                 AND e.state = 'active' AND e.kvk_number = s.kvk_number)""",
            {"company": company},
        )
        enrolled = cr.rowcount
        cr.execute(
            """UPDATE kvk_signal s SET state = 'pending', relevance = 'profile'
                WHERE s.company_id = %(company)s AND s.state = 'new' AND s.signal_type = 'new_registration'
                  AND EXISTS (SELECT 1 FROM kvk_profile p WHERE p.company_id = %(company)s
                                 AND p.active AND p.offer_new)""",
            {"company": company},
        )
        candidates = cr.rowcount
        cr.execute(
            """UPDATE kvk_signal SET state = 'unrelated', relevance = 'none', outcome = 'unrelated'
                WHERE company_id = %(company)s AND state = 'new'""",
            {"company": company},
        )
        unrelated = cr.rowcount
        if unrelated:
            cr.execute(
                "UPDATE kvk_subscription SET unrelated_count = COALESCE(unrelated_count, 0) + %s WHERE id = %s",
                [unrelated, subscription.id],
            )
        self.env.invalidate_all()
        return {"enrolled": enrolled, "candidates": candidates, "unrelated": unrelated}

    @api.model
    def _kvk_groups(self, subscription, limit):
        """(KvK number, relevance, signal ids) of registrations with work, oldest first."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT kvk_number, relevance, array_agg(id ORDER BY timestamp, id)
                 FROM kvk_signal
                WHERE company_id = %s AND state IN ('pending', 'fetched', 'held', 'error')
                  AND (retry_after IS NULL OR retry_after <= %s)
                GROUP BY kvk_number, relevance
                ORDER BY min(timestamp), kvk_number
                LIMIT %s""",
            [subscription.company_id.id, fields.Datetime.now(), limit],
        )
        return self.env.cr.fetchall()

    @api.model
    def _kvk_groups_count(self, subscription):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT count(DISTINCT (kvk_number, relevance)) FROM kvk_signal
                WHERE company_id = %s AND state IN ('pending', 'fetched', 'held', 'error')
                  AND (retry_after IS NULL OR retry_after <= %s)""",
            [subscription.company_id.id, fields.Datetime.now()],
        )
        return self.env.cr.fetchone()[0]

    # -- processing -------------------------------------------------------------------------------------

    @api.model
    def _kvk_process(self, subscription, batch):
        """Work through up to ``batch`` registrations; (signals done, whether the run had to stop)."""
        Signal = self.env["kvk.signal"]
        done = 0
        for kvk_number, relevance, ids in self._kvk_groups(subscription, batch):
            signals = Signal.browse(ids)
            try:
                if relevance == "profile":
                    self._kvk_process_new(subscription, kvk_number, signals)
                else:
                    self._kvk_process_followed(subscription, kvk_number, signals)
            except KvkError as error:
                if error.code == "cap":
                    # nothing more is paid this run: every signal that waits for a call waits for the cap
                    self.env.flush_all()
                    self.env.cr.execute(
                        "UPDATE kvk_signal SET state = 'held', outcome = 'held' "
                        "WHERE company_id = %s AND state = 'pending'",
                        [subscription.company_id.id],
                    )
                    self.env.invalidate_all()
                    return done, True
                if error.code in COMPANY_FAULTS or error.retryable:
                    raise
                self._kvk_failed(signals, error)
                continue
            done += len(signals)
            if not self._kvk_commit():
                return done, True
        return done, False

    @api.model
    def _kvk_failed(self, signals, error):
        """A registration the register cannot give (for now): tried again later, a few times."""
        message = self.env["kvk.service"]._error_message(error)
        for signal in signals.filtered(lambda s: s.state not in ("done", "malformed")):
            attempts = signal.attempts + 1
            signal.write(
                {
                    "state": "error",
                    "attempts": attempts,
                    "error_message": message[:500],
                    "retry_after": fields.Datetime.now() + timedelta(hours=2**attempts)
                    if attempts < SIGNAL_ATTEMPTS
                    else fields.Datetime.now() + timedelta(days=3650),
                    "outcome": "unavailable",
                }
            )

    @api.model
    def _kvk_details(self, subscription, signals):
        """Read each signal's detail (free) once; a detail that cannot be read flags the signal."""
        service = self.env["kvk.service"]
        for signal in signals.filtered(lambda s: not s.detail_json and s.state != "malformed"):
            try:
                record = service._mutatie_signal(subscription.kvk_id, signal.signal_id)
            except KvkError as error:
                if error.code != "not_found":
                    raise
                signal.write({"state": "malformed", "malformed": True, "problems": service._error_message(error)})
                continue
            detail = json.dumps(record.raw, sort_keys=True, default=str)
            values = {
                "detail_json": detail,
                "changed_blocks": ",".join(record.changed_blocks) or False,
                "reason_code": record.reason_code or False,
                "new_kvk_number": record.new_kvk_number if record.new_kvk_number != signal.kvk_number else False,
            }
            if record.malformed:
                values.update({"state": "malformed", "malformed": True, "problems": "\n".join(record.problems)[:2000]})
            signal.write(values)
        return signals.filtered(lambda s: s.state != "malformed")

    @api.model
    def _kvk_plan(self, kvk_number, signals):
        """What a followed registration's signals call for, per enrolled contact: a list of
        (enrolment, paid call or None, kind, the registration the contact goes to)."""
        enrolments = self.env["kvk.enrolment"].search(
            [("company_id", "=", self.env.company.id), ("state", "=", "active"), ("kvk_number", "=", kvk_number)]
        )
        records = [(signal, signal._record()) for signal in signals]
        moves = [r for _s, r in records if r.type == "continuation_transfer" and r.new_kvk_number]
        ended = any(r.type == "termination" for _s, r in records)
        plan = []
        for enrolment in enrolments.filtered("partner_id"):
            branch = enrolment.branch_number or ""
            move = next(
                (r for r in moves if (branch in r.transferred_branches if branch else r.reason_code != "OG")), None
            )
            if move:
                plan.append((enrolment, move.paid_call(branch), "move", move.new_kvk_number))
                continue
            calls = {}
            for _signal, record in records:
                call = record.paid_call(branch)
                if call:
                    calls.setdefault((call.product, call.number), call)
            for call in calls.values():
                plan.append((enrolment, call, "update", kvk_number))
            if ended:
                plan.append((enrolment, None, "deleted", kvk_number))
        return plan

    @api.model
    def _kvk_entry_of(self, call, target_kvk):
        """The store entry a paid call's answer goes to: the KvK number of a Basisprofiel, or the
        branch of a Vestigingsprofiel within the registration the contact belongs (or moves) to."""
        Entry = self.env["kvk.register.entry"]
        if call.product == "vestigingsprofiel":
            return Entry._kvk_entry(target_kvk, call.number)
        return Entry._kvk_entry(call.number, "")

    @api.model
    def _kvk_fetch(self, call, target_kvk, partner):
        """The register's answer for a paid call, through the seam (product switches, public-sector
        connection, cache, cap, log); channel "signal"."""
        service = self.env["kvk.service"].with_context(kvk_fresh=True)
        if call.product == "vestigingsprofiel":
            return service._fetch_profile(target_kvk, call.number, "nevenvestiging", channel="signal", partner=partner)
        return service._fetch_profile(call.number, "", "hoofdvestiging", channel="signal", partner=partner)

    @api.model
    def _kvk_process_followed(self, subscription, kvk_number, signals):
        """Signals of a registration that contacts follow: read, keep, propose."""
        usable = self._kvk_details(subscription, signals)
        if not usable:
            return
        plan = self._kvk_plan(kvk_number, usable)
        Entry = self.env["kvk.register.entry"]
        to_fetch = usable.filtered(lambda s: s.state in ("pending", "held", "error"))
        if to_fetch:
            fetched = {}
            for enrolment, call, kind, target in plan:
                if kind == "deleted":
                    record = next(s._record() for s in usable if s.signal_type == "termination")
                    entry = Entry._kvk_entry(kvk_number, enrolment.branch_number or "")
                    entry._kvk_record_end(record.start_raw, record.start_date, record.reason, "signal", usable)
                    continue
                if call is None or (call.product, call.number) in fetched:
                    continue
                profile = self._kvk_fetch(call, target, enrolment.partner_id)
                prepared = self.env["res.partner"]._kvk_prepare_values(profile)
                entry = self._kvk_entry_of(call, target)
                entry._kvk_record(prepared, "signal", usable)
                if kind == "move":
                    old = Entry._kvk_entry(kvk_number, enrolment.branch_number or "")
                    old.write({"successor_kvk_number": target})
                    entry.write({"predecessor_kvk_number": kvk_number})
                fetched[(call.product, call.number)] = entry
            to_fetch.write({"state": "fetched", "error_message": False, "retry_after": False})
            if not self._kvk_commit():
                return
        self._kvk_propose(kvk_number, usable, plan)

    @api.model
    def _kvk_propose(self, kvk_number, signals, plan):
        """Items (or fields applied automatically) from the store's history of these signals."""
        Entry = self.env["kvk.register.entry"]
        Review = self.env["kvk.review"]
        Change = self.env["kvk.register.change"].sudo()
        changes = Change.search([("signal_id", "in", signals.ids)])
        records = {signal.id: signal._record() for signal in signals}
        items = Review.browse()
        applied = False
        for enrolment, call, kind, target in plan:
            partner = enrolment.partner_id.with_context(lang=enrolment.partner_id._kvk_recipient_lang())
            if kind == "deleted":
                entry = Entry._kvk_entry(kvk_number, enrolment.branch_number or "")
                end = next(r for r in records.values() if r.type == "termination")
                summary = [["ended", {"date": end.start_raw or "", "reason": end.reason or ""}]]
                items |= Review._kvk_propose_deleted(partner, entry, "signal", signals, summary)
                continue
            if call is None:
                continue
            entry = self._kvk_entry_of(call, target)
            keys = changes.filtered(lambda c, entry=entry: c.entry_id == entry).mapped("key")
            summary = self._kvk_summary(records.values(), kind, target)
            item, auto = Review._kvk_propose(
                partner, entry, keys, "signal", signals, kind=kind, summary=summary, new_kvk_number=target
            )
            items |= item
            applied = applied or bool(auto)
            partner.sudo().write({"kvk_last_update": fields.Datetime.now()})
        outcome = "review" if items else "applied" if applied else "nothing"
        signals.write({"state": "done", "outcome": outcome, "review_ids": [fields.Command.link(i.id) for i in items]})

    @api.model
    def _kvk_summary(self, records, kind, target):
        """What the signals say beyond the fields, as parts an item shows in its reader's language
        (see ``kvk.review._kvk_summary_text``)."""
        parts = []
        for record in records:
            if record.type == "legal_form_change":
                parts.append(["legal_form", {"old": record.old_legal_form or "", "new": record.new_legal_form or ""}])
            elif record.type == "continuation_transfer" and kind == "move":
                parts.append(["continued", {"new": target, "reason": record.reason or record.reason_code or ""}])
        return [part for index, part in enumerate(parts) if part not in parts[:index]]

    # -- new registrations for profiles ---------------------------------------------------------------

    @api.model
    def _kvk_process_new(self, subscription, kvk_number, signals):
        """A new registration: free facts first (the signal's detail, then Zoeken), a paid profile only
        for a registration that passes what they decide, and a New item per matching profile."""
        usable = self._kvk_details(subscription, signals)
        if not usable:
            return
        record = usable[0]._record()
        Review = self.env["kvk.review"]
        company = self.env.company
        continued = self.env["kvk.signal"].search_count(
            [("company_id", "=", company.id), ("new_kvk_number", "=", kvk_number)]
        ) or self.env["kvk.register.entry"].search_count(
            [("company_id", "=", company.id), ("successor_kvk_number", "=", kvk_number)]
        )
        if continued:
            usable.write({"state": "done", "outcome": "continued"})
            return
        offered = Review.search(
            [("kind", "=", "new"), ("kvk_number", "=", kvk_number), ("company_id", "=", company.id)]
        )
        profiles = self.env["kvk.profile"].search(
            [("company_id", "=", company.id), ("offer_new", "=", True), ("id", "not in", offered.profile_id.ids)]
        )
        passing = []
        for profile in profiles:
            try:
                criteria = profile._kvk_criteria()
            except CriteriaError:
                continue
            decision = criteria.decide(record.facts) if record.facts else None
            if decision is None or decision.verdict is not False:
                passing.append((profile, criteria, decision))
        if passing and any(d is None or "municipality" in d.undecided for _p, _c, d in passing):
            hit = self._kvk_search_hit(kvk_number)
            if hit is not None:
                found = Candidate.from_search_hit(hit)
                passing = [(p, c, d) for p, c, d in passing if c.decide(found).verdict is not False]
        if not passing:
            usable.write({"state": "done", "outcome": "no_match"})
            return
        entry = self.env["kvk.register.entry"]._kvk_entry(kvk_number, "")
        if usable.filtered(lambda s: s.state in ("pending", "held", "error")):
            service = self.env["kvk.service"].with_context(kvk_fresh=True)
            profile = service._fetch_profile(kvk_number, "", "hoofdvestiging", channel="signal")
            entry._kvk_record(self.env["res.partner"]._kvk_prepare_values(profile), "signal", usable)
            usable.write({"state": "fetched", "error_message": False, "retry_after": False})
            if not self._kvk_commit():
                return
        candidate = self._kvk_candidate(entry)
        items = Review.browse()
        for profile, criteria, _decision in passing:
            if criteria.decide(candidate).verdict:
                items |= Review._kvk_propose_new(profile, entry, usable)
        usable.write(
            {
                "state": "done",
                "outcome": "review" if items else "no_match",
                "review_ids": [fields.Command.link(item.id) for item in items],
            }
        )

    @api.model
    def _kvk_search_hit(self, kvk_number):
        """The main registration of a KvK number in the free Zoeken API, or None."""
        try:
            page = self.env["kvk.service"]._search_register({"kvkNummer": kvk_number}, per_page=10, channel="signal")
        except KvkError as error:
            if error.code == "IPD5200":
                return None
            raise
        hits = page.hits
        return next((hit for hit in hits if hit.kind == "hoofdvestiging"), hits[0] if hits else None)

    @api.model
    def _kvk_candidate(self, entry):
        """What the store says of a registration, for a profile's criteria (as a Basisprofiel would)."""
        values = entry._values()

        def value(key, default=""):
            return (values.get(key) or [default])[0]

        sbi = value("kvk_sbi_ids", []) or []
        main = value("kvk_sbi_id", None)
        return Candidate(
            "basisprofiel",
            entry.kvk_number,
            "",
            main_branch=True,
            sbi_main=main[0] if main else "",
            sbi_other=tuple(item[0] for item in sbi if not main or item[0] != main[0]),
            postcode=(value("zip") or "").replace(" ", ""),
            city=value("city") or "",
            municipality=value("city") or "",
            legal_form=legal_form_key(value("kvk_legal_form")),
            employees=value("kvk_employees", None),
            active=value("kvk_end_raw") in ("", "00000000"),
            name=value("name"),
        )

    # -- retention ---------------------------------------------------------------------------------------

    @api.model
    def _kvk_purge(self, subscription):
        """Remove signals nobody follows after the company's retention period (they stay counted)."""
        days = subscription.company_id.kvk_signal_retention_days
        if not days:
            return 0
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM kvk_signal WHERE company_id = %s AND state = 'unrelated' AND timestamp < %s",
            [subscription.company_id.id, fields.Datetime.now() - timedelta(days=days)],
        )
        return self.env.cr.rowcount
