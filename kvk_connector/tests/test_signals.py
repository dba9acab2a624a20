"""The change-signal job against the sandbox's Mutatieservice: triage, paid calls, the register store, items."""

import json
import logging
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.misc import format_datetime

from ..models.kvk_dates import readable_kvk_date
from ..models.kvk_signal_job import SIGNAL_LOCK
from .common_inbox import JOB_LOGGER, KvkInboxCase

DONALD, DONALD_MAIN, DONALD_SIDE = "68750110", "000037178598", "000037178601"
KATRIEN, KATRIEN_MAIN = "68727720", "000037143557"


@tagged("post_install", "-at_install")
class TestSignals(KvkInboxCase):
    # -- triage --------------------------------------------------------------------------------------

    def test_signals_nobody_follows_cost_nothing(self):
        self.emit("changed", KATRIEN, blocks=["maOnderneming"])
        self.emit("new")
        self.emit_many(8)
        self.run_signals()
        signals = self.signals()
        self.assertEqual(len(signals), 10)
        self.assertEqual(set(signals.mapped("state")), {"unrelated"})
        self.assertEqual(self.paid_calls(), [])
        self.assertEqual(self.detail_calls(), [], "not even the free detail of a signal nobody follows")
        subscription = self.env["kvk.subscription"].search([("company_id", "=", self.company.id)])
        self.assertRecordValues(subscription, [{"unrelated_count": 10, "signal_count": 10, "state": "ok"}])
        logs = self.company_logs([])
        self.assertEqual(set(logs.mapped("channel")), {"signal"})
        self.assertEqual(set(logs.mapped("product")), {"abonnementen", "signalen"})
        self.assertFalse(self.items())

    def test_a_company_without_a_key_of_its_own_reads_with_its_environments_key(self):
        self.company.kvk_api_key = False
        self.emit("changed", KATRIEN, blocks=["maOnderneming"])
        self.run_signals()
        subscription = self.env["kvk.subscription"].search([("company_id", "=", self.company.id)])
        self.assertRecordValues(subscription, [{"state": "ok", "signal_count": 1, "last_error": False}])
        self.assertTrue(subscription.kvk_id)

    def test_each_signal_is_kept_once(self):
        self.emit("changed", KATRIEN, blocks=["maOnderneming"])
        self.run_signals()
        self.run_signals()  # the next window overlaps the last one
        self.emit("changed", KATRIEN, blocks=["eigenaar"])
        self.run_signals()
        self.assertEqual(len(self.signals()), 2)
        subscription = self.env["kvk.subscription"].search([("company_id", "=", self.company.id)])
        self.assertEqual(subscription.signal_count, 2)

    def test_unrelated_signals_are_purged_after_the_retention_but_stay_counted(self):
        self.emit("changed", KATRIEN, blocks=["maOnderneming"])
        self.run_signals()
        signal = self.signals()
        self.env.cr.execute(
            "UPDATE kvk_signal SET timestamp = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=40), signal.id],
        )
        self.env.invalidate_all()
        self.run_signals()
        self.assertFalse(signal.exists())
        subscription = self.env["kvk.subscription"].search([("company_id", "=", self.company.id)])
        self.assertEqual(subscription.unrelated_count, 1)

    # -- followed registrations ---------------------------------------------------------------------

    def test_a_changed_name_is_one_paid_call_and_one_item(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.assertTrue(donald.kvk_enrolled)
        old_name = donald.name
        (summary,) = self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        new_name = summary["changes"][0].split(" -> ")[1]
        self.run_signals()
        self.assertEqual(len(self.detail_calls()), 1)
        paid = self.paid_calls()
        self.assertEqual([call["path"] for call in paid], [f"/kvk/api/v1/basisprofielen/{DONALD}"])
        (item,) = self.items(donald)
        self.assertRecordValues(item, [{"kind": "update", "state": "new", "to_review": True, "origin": "signal"}])
        lines = self.lines(item)
        self.assertEqual(set(lines), {"name"}, "only the field the register changed")
        self.assertRecordValues(
            lines["name"], [{"current_value": old_name, "register_old": old_name, "register_new": new_name}]
        )
        self.assertEqual(donald.name, old_name, "a name waits for review")
        # the register store keeps what the register says, with the history of the name
        entry = self.env["kvk.register.entry"].search(
            [("company_id", "=", self.company.id), ("registration", "=", DONALD)]
        )
        self.assertEqual(entry._values()["name"][0], new_name)
        change = entry.history_ids.filtered(lambda c: c.key == "name" and c.origin == "signal")
        self.assertRecordValues(change, [{"old_shown": old_name, "new_shown": new_name}])
        self.assertEqual(change.signal_id, self.signals())
        self.assertRecordValues(self.signals(), [{"state": "done", "outcome": "review", "relevance": "enrolled"}])
        log = self.company_logs([("product", "=", "basisprofiel"), ("channel", "=", "signal")])
        self.assertRecordValues(log, [{"partner_id": donald.id, "cost": 0.019, "state": "done"}])

    def test_officers_and_filings_cost_no_paid_call_and_give_no_item(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["functionarissen", "deponeringen"])
        self.run_signals()
        self.assertEqual(len(self.detail_calls()), 1)
        self.assertEqual(self.paid_calls(), [])
        self.assertFalse(self.items(donald))
        self.assertRecordValues(self.signals(), [{"state": "done", "outcome": "nothing"}])
        # what changed and what became of it, in words of the reader's language
        signal = self.signals()
        self.assertEqual(signal.changed_blocks_display, "officers, filings")
        self.env["res.lang"]._activate_lang("nl_NL")
        dutch = signal.with_context(lang="nl_NL")
        self.assertEqual(dutch.changed_blocks_display, "functionarissen, deponeringen")
        outcomes = dict(dutch._fields["outcome"]._description_selection(dutch.env))
        self.assertEqual(outcomes[signal.outcome], "Niets gewijzigd dat een contact heeft")

    def test_a_branch_is_read_for_the_contact_of_that_branch_only(self):
        main = self.link(DONALD, DONALD_MAIN)
        side = self.link(DONALD, DONALD_SIDE)
        self.assertEqual(side._kvk_enrolments().branch_number, DONALD_SIDE)
        self.assertFalse(main._kvk_enrolments().branch_number)
        old_street = side.street
        self.emit("branch", DONALD, branch_number=DONALD_SIDE, change="address")
        self.run_signals()
        self.assertEqual([c["path"] for c in self.paid_calls()], [f"/kvk/api/v1/vestigingsprofielen/{DONALD_SIDE}"])
        self.assertFalse(self.items(main), "the main branch's contact holds nothing of the side branch")
        (item,) = self.items(side)
        self.assertIn("street", self.lines(item))
        self.assertEqual(self.lines(item)["street"].current_value, old_street)
        self.assertNotEqual(self.lines(item)["street"].register_new, old_street)

    def test_several_signals_of_one_registration_make_one_call_and_one_item(self):
        donald = self.link(DONALD, DONALD_MAIN)
        old_sbi = donald.kvk_sbi_id.code
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="activity")
        self.emit("changed", DONALD, blocks=["eigenaar"])
        self.run_signals()
        self.assertEqual(len(self.paid_calls()), 1)
        items = self.items(donald)
        self.assertEqual(len(items), 1)
        self.assertEqual(len(items.signal_ids), 3)
        self.assertIn("name", self.lines(items))
        self.assertIn("website", self.lines(items))
        # the main activity is applied automatically (a register-only field), with a note in the chatter
        self.assertNotEqual(donald.kvk_sbi_id.code, old_sbi)
        self.assertNotIn("kvk_sbi_id", self.lines(items))
        notes = donald.message_ids.mapped("body")
        self.assertTrue(any("Main activity (SBI)" in (note or "") for note in notes))

    def test_a_field_group_set_to_apply_automatically_needs_no_review(self):
        self.company.kvk_apply_name = "auto"
        donald = self.link(DONALD, DONALD_MAIN)
        (summary,) = self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        self.assertEqual(donald.name, summary["changes"][0].split(" -> ")[1])
        self.assertFalse(self.items(donald))
        self.assertEqual(self.signals().outcome, "applied")

    def test_a_signal_that_changes_nothing_the_contact_holds_gives_no_item(self):
        donald = self.link(DONALD, DONALD_MAIN)
        (summary,) = self.emit("changed", DONALD, blocks=["eigenaar"])
        self.assertIn("website -> ", summary["changes"][0])
        donald.website = "https://" + summary["changes"][0].split(" -> ")[1]  # someone typed it in already
        self.run_signals()
        self.assertEqual(len(self.paid_calls()), 1)
        self.assertFalse(self.items(donald))
        self.assertEqual(self.signals().outcome, "nothing")

    def test_a_side_branch_change_is_no_call_for_the_registrations_contact(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["vestigingen"], branch_number=DONALD_SIDE, change="address")
        self.run_signals()
        self.assertEqual(self.paid_calls(), [])
        self.assertFalse(self.items(donald))

    # -- endings, legal forms, continuations ---------------------------------------------------------

    def test_a_termination_is_a_deleted_item_without_a_paid_call(self):
        self.company.kvk_archive_ended = True
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("ended", DONALD, reason="OO")
        self.run_signals()
        self.assertEqual(self.paid_calls(), [])
        (item,) = self.items(donald)
        self.assertEqual(item.kind, "deleted")
        self.assertIn("Opheffen onderneming", item.summary)
        self.assertFalse(donald.kvk_former, "marked only when accepted")
        entry = item.entry_id
        self.assertTrue(entry.ended)
        # the end as the register gives its dates, read as people read them, in the reader's language
        (line,) = item.line_ids
        raw = line._value()
        self.assertEqual((line.key, len(raw)), ("kvk_end_raw", 8))
        self.assertEqual(item.summary, f"The registration ended on {readable_kvk_date(raw)}: Opheffen onderneming")
        self.assertEqual(line.register_new_display, readable_kvk_date(raw))
        self.assertEqual(entry.end_display, readable_kvk_date(raw))
        self.env["res.lang"]._activate_lang("nl_NL")
        self.assertEqual(line.with_context(lang="nl_NL").register_new_display, readable_kvk_date(raw, "nl_NL"))
        self.assertEqual(
            item.with_context(lang="nl_NL").summary,
            f"De inschrijving is beëindigd op {readable_kvk_date(raw, 'nl_NL')}: Opheffen onderneming",
            "the summary is written for its reader, not in the language of whoever made the item",
        )
        self.assertNotEqual(readable_kvk_date(raw, "nl_NL"), readable_kvk_date(raw))
        item.with_user(self.salesperson).action_accept()
        self.assertTrue(donald.kvk_former)
        self.assertEqual(donald.with_context(active_test=False).kvk_end_raw, raw)
        self.assertEqual(donald.with_context(active_test=False).kvk_end_date.strftime("%Y%m%d"), raw)
        self.assertFalse(donald.active)
        self.assertFalse(donald.with_context(active_test=False)._kvk_enrolments())
        self.assertEqual(item.state, "applied")

    def test_a_legal_form_change_is_an_update_that_says_so(self):
        katrien = self.link(KATRIEN, KATRIEN_MAIN)
        self.emit("legal_form", KATRIEN)
        self.run_signals()
        self.assertEqual([c["path"] for c in self.paid_calls()], [f"/kvk/api/v1/basisprofielen/{KATRIEN}"])
        self.assertIn("Besloten", katrien.kvk_legal_form, "the legal form is applied automatically")
        (item,) = self.items(katrien)
        self.assertEqual(item.kind, "update")
        self.assertIn("Legal form changed from Naamloze Vennootschap to Besloten Vennootschap", item.summary)
        self.assertIn("name", self.lines(item))

    def test_a_continuation_proposes_moving_the_contact_instead_of_deleted_and_new(self):
        self.env["kvk.profile"].create({"name": "Everything new", "company_id": self.company.id})
        vof = self.link("69599076", "000038509474")
        chain = self.emit("continuation", "69599076")
        successor = chain[0]["new_kvk_number"]
        self.run_signals()
        self.assertEqual(len(self.signals()), 3)
        self.assertEqual([c["path"] for c in self.paid_calls()], [f"/kvk/api/v1/basisprofielen/{successor}"])
        (item,) = self.items(vof)
        self.assertEqual(item.kind, "move")
        self.assertEqual(item.new_kvk_number, successor)
        lines = self.lines(item)
        self.assertRecordValues(lines["company_registry"], [{"current_value": "69599076", "register_new": successor}])
        self.assertFalse(self.items(kind="deleted"))
        self.assertFalse(self.items(kind="new"), "the continuing registration is no new company")
        old_entry = self.env["kvk.register.entry"].search(
            [("registration", "=", "69599076"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(old_entry.successor_kvk_number, successor)
        item.with_user(self.salesperson).action_accept()
        self.assertEqual(vof.company_registry, successor)
        self.assertEqual(vof._kvk_enrolments().kvk_number, successor)
        ended = vof.kvk_enrolment_ids.filtered(lambda e: e.state == "ended")
        self.assertEqual(ended.end_reason, "moved")

    def test_a_transferred_branch_moves_only_its_own_contact(self):
        main = self.link(DONALD, DONALD_MAIN)
        side = self.link(DONALD, DONALD_SIDE)
        chain = self.emit("continuation", DONALD, reason="OG", branch_number=DONALD_SIDE)
        receiver = chain[0]["new_kvk_number"]
        self.run_signals()
        self.assertEqual([c["path"] for c in self.paid_calls()], [f"/kvk/api/v1/vestigingsprofielen/{DONALD_SIDE}"])
        self.assertFalse(self.items(main))
        (item,) = self.items(side)
        self.assertEqual((item.kind, item.new_kvk_number), ("move", receiver))
        self.assertEqual(self.lines(item)["company_registry"].register_new, receiver)

    # -- bad input and faults ----------------------------------------------------------------------------

    def test_malformed_signals_are_kept_flagged_and_do_not_stop_the_run(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("changed", KATRIEN, blocks=["maOnderneming"], malformed="listing")
        self.emit("changed", DONALD, blocks=["eigenaar"], malformed="detail")
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        malformed = self.signals(malformed=True)
        self.assertEqual(len(malformed), 2)
        self.assertEqual(set(malformed.mapped("state")), {"malformed"})
        self.assertTrue(all(malformed.mapped("problems")))
        self.assertEqual(len(self.items(donald)), 1, "the good signal was processed")
        self.run_signals()
        self.assertEqual(len(self.signals(malformed=True)), 2, "kept once")

    def test_a_rate_limit_postpones_the_batch_with_back_off(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.sandbox_control.arm_fault("/kvk/api/v1/basisprofielen", status=429, count=5)
        with mute_logger(JOB_LOGGER):
            self.run_signals()
        subscription = self.env["kvk.subscription"].search([("company_id", "=", self.company.id)])
        self.assertRecordValues(subscription, [{"state": "backoff", "failures": 1}])
        self.assertGreater(subscription.retry_after, fields.Datetime.now())
        self.assertEqual(self.signals().state, "pending", "kept for the next run")
        self.assertFalse(self.items(donald))
        self.sandbox_control.clear_faults()
        self.sandbox_control.clear_requests()
        self.run_signals()  # still waiting
        self.assertEqual(self.sandbox_control.requests("/kvk/api/"), [])
        subscription.retry_after = fields.Datetime.now() - timedelta(seconds=1)
        self.run_signals()
        self.assertEqual(len(self.items(donald)), 1)
        self.assertRecordValues(subscription, [{"state": "ok", "failures": 0}])

    def test_a_server_error_of_the_mutatieservice_backs_off_longer_each_time(self):
        self.emit("changed", KATRIEN, blocks=["maOnderneming"])
        subscription = self.env["kvk.subscription"]._kvk_for_company(self.company)
        waits = []
        for _attempt in range(3):
            self.sandbox_control.arm_fault("/kvk/api/v1/abonnementen", status=503, count=1)
            subscription.retry_after = False
            with mute_logger(JOB_LOGGER):
                self.run_signals()
            waits.append(subscription.retry_after - fields.Datetime.now())
        self.assertEqual(subscription.failures, 3)
        self.assertTrue(waits[0] < waits[1] < waits[2], waits)

    def test_the_monthly_cap_holds_signals_back_until_it_lifts(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.company.kvk_monthly_cap = 0.01  # the search that linked it spent 0.019 this month
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        self.assertEqual(self.paid_calls(), [])
        self.assertRecordValues(self.signals(), [{"state": "held", "outcome": "held"}])
        self.assertFalse(self.items(donald))
        blocked = self.company_logs([("state", "=", "blocked"), ("error_code", "=", "cap"), ("channel", "=", "signal")])
        self.assertEqual(len(blocked), 1)
        self.run_signals()  # still capped: nothing lost, nothing paid
        self.assertEqual(self.signals().state, "held")
        self.company.kvk_monthly_cap = 0
        self.run_signals()
        self.assertEqual(len(self.paid_calls()), 1)
        self.assertEqual(len(self.items(donald)), 1)
        self.assertEqual(self.signals().state, "done")

    # -- runs -----------------------------------------------------------------------------------------

    def test_a_second_run_at_once_is_skipped(self):
        donald = self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        with self.registry.cursor() as other_run:
            other_run.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [SIGNAL_LOCK, self.company.id])
            self.assertTrue(other_run.fetchone()[0])
            with self.assertLogs(JOB_LOGGER, logging.INFO) as logged:
                self.run_signals()
            other_run.rollback()
        self.assertIn(f"KvK signals of company {self.company.id} skipped", "\n".join(logged.output))
        self.assertEqual(self.sandbox_control.requests("/kvk/api/"), [])
        self.run_signals()
        self.assertEqual(len(self.items(donald)), 1)

    def test_work_left_over_is_reported_and_done_in_the_next_batch(self):
        partners = [self.link(DONALD, DONALD_MAIN), self.link(KATRIEN, KATRIEN_MAIN)]
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.emit("changed", KATRIEN, blocks=["maOnderneming"], change="name")
        job = self.env["kvk.signal.job"].with_context(kvk_poll_now=True)
        first = job._cron_kvk_signals(batch=1)
        self.assertEqual(first, {"done": 1, "remaining": 1})
        second = job._cron_kvk_signals(batch=1)
        self.assertEqual(second["remaining"], 0)
        self.assertEqual(len(self.items()), 2)
        self.assertEqual(self.items().partner_id, partners[0] | partners[1])

    def test_the_query_log_says_in_words_what_the_mutatieservice_was_asked(self):
        self.link(DONALD, DONALD_MAIN)
        (summary,) = self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        subscription = self.env["kvk.subscription"].search([("company_id", "=", self.company.id)]).kvk_id
        logs = {log.product: log for log in self.company_logs([("channel", "=", "signal")])}
        self.assertEqual(logs["abonnementen"].params_display, "Subscriptions of the API key")
        self.assertEqual(logs["signaal"].params_display, f"Subscription: {subscription} · Signal: {summary['id']}")
        self.assertRegex(
            logs["signalen"].params_display,
            rf"^Subscription: {subscription} · from .+ to .+ · page 1, 500 per page$",
        )
        # the window in the reader's time zone
        until = json.loads(logs["signalen"].params)["args"][2]
        moment = datetime.fromisoformat(until)
        amsterdam = logs["signalen"].with_context(tz="Europe/Amsterdam").params_display
        self.assertIn(format_datetime(self.env, moment, tz="Europe/Amsterdam"), amsterdam)
        self.assertNotEqual(
            format_datetime(self.env, moment, tz="Europe/Amsterdam"), format_datetime(self.env, moment, tz="UTC")
        )

    def test_signal_cost_is_in_the_usage_by_channel_and_month(self):
        self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        groups = self.env["kvk.query.log"]._read_group(
            [("company_id", "=", self.company.id)], ["channel", "create_date:month"], ["cost:sum"]
        )
        by_channel = {channel: cost for channel, _month, cost in groups}
        self.assertAlmostEqual(by_channel["signal"], 0.019)
        self.assertAlmostEqual(by_channel["ui"], 0.019, msg="the search that linked the contact")
