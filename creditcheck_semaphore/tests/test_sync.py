from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LOG_MODULE, SAZKA, CreditcheckCase

STATE = {1: "green", 2: "orange", 3: "red"}


@tagged("post_install", "-at_install")
class TestCreditcheckSync(CreditcheckCase):
    simulation = {"subjects": 60, "defunct_share": 0.15}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulate(subjects=60, defunct_share=0.15)
        cls.world = cls.subjects(limit=60)
        cls.partners = cls.make_partners(cls.world)
        cls.by_ico = {partner.creditcheck_ico: partner for partner in cls.partners}
        cls.slovak = cls.make_partners(cls.subjects("sk", limit=10), country=cls.sk)

    def expected(self, subject):
        if subject["defunct"]:
            return "red"
        return STATE[subject["status"]]

    def assert_world(self, world, defunct_known=False):
        for subject in world:
            partner = self.by_ico[subject["ico"]]
            want = self.expected(subject) if defunct_known or not subject["defunct"] else "green"
            self.assertEqual(partner.creditcheck_state, want, subject)
            if not subject["defunct"] and subject["status"] > 1:
                self.assertEqual(partner.creditcheck_record_id, str(subject["record_id"]))
            self.assertEqual(partner.creditcheck_defunct, bool(defunct_known and subject["defunct"]))

    def test_complete_refresh_compressed_and_plain(self):
        log = self.run_sync("complete")
        self.assertRecordValues(
            log, [{"state": "done", "method": "GetCreditChecksCompressed", "lines_rejected": 0, "error": False}]
        )
        risky = [s for s in self.world if s["status"] > 1 and not s["defunct"]]
        self.assertEqual(log.lines_read, len(risky))
        self.assertEqual(log.lines_applied, len(risky))
        self.assertEqual(log.count_orange + log.count_red, len(risky))
        self.assertEqual(log.partners_changed, len(self.partners))  # every partner leaves grey
        # ... but only the risky ones are worth a chatter message
        self.assertEqual(len(self.partners.filtered("creditcheck_notify_pending")), len(risky))
        self.assert_world(self.world)
        self.assertEqual(self.by_ico[SAZKA].creditcheck_state, "red")
        self.assertTrue(self.partners[1].creditcheck_sync_date)
        # idempotent: the same list again changes nothing
        again = self.run_sync("complete")
        self.assertEqual(again.partners_changed, 0)
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.compressed", "False")
        plain = self.run_sync("complete")
        self.assertRecordValues(plain, [{"state": "done", "method": "GetCreditChecks", "partners_changed": 0}])
        # Slovak partners untouched by the Czech list
        self.assertEqual(set(self.slovak.mapped("creditcheck_state")), {"grey"})
        self.run_sync("complete", "sk")
        self.assertNotIn("grey", self.slovak.mapped("creditcheck_state"))

    def test_subjects_leaving_the_list_turn_green_and_changes_are_queued(self):
        self.run_sync("complete")
        self.partners.creditcheck_notify_pending = False
        self.simulate(subjects=60, defunct_share=0.15, day=15)
        later = self.subjects(limit=60)
        log = self.run_sync("complete")
        changed = [
            s
            for s, b in zip(later, self.world, strict=True)
            if (s["status"], s["record_id"]) != (b["status"], b["record_id"]) and not s["defunct"]
        ]
        self.assertTrue(changed)
        self.assertEqual(log.partners_changed, len(changed))
        self.assert_world(later)
        pending = self.partners.filtered("creditcheck_notify_pending")
        self.assertEqual(len(pending), len(changed))
        remaining = self.env["res.partner"]._cron_creditcheck_notify()
        self.assertEqual(remaining, 0)
        self.assertFalse(self.partners.filtered("creditcheck_notify_pending"))
        one = pending[0]
        self.assertIn("CreditCheck", one.message_ids[0].body)

    def test_defunct_no_downgrade_and_revival(self):
        defunct = [s for s in self.world if s["defunct"]]
        self.assertTrue(defunct)
        log = self.run_sync("defunct")
        self.assertRecordValues(log, [{"state": "done", "lines_applied": len(defunct), "count_red": len(defunct)}])
        for subject in defunct:
            self.assertRecordValues(
                self.by_ico[subject["ico"]], [{"creditcheck_state": "red", "creditcheck_defunct": True}]
            )
        # a later daily list, without the defunct subjects, does not turn them green
        self.run_sync("complete")
        self.assert_world(self.world, defunct_known=True)
        # the next defunct list revives some of them
        self.simulate(subjects=60, defunct_share=0.15, epoch=1)
        epoch1 = {s["ico"]: s for s in self.subjects(limit=60)}
        revived = [s for s in defunct if not epoch1[s["ico"]]["defunct"]]
        self.assertTrue(revived)
        self.run_sync("defunct")
        for subject in revived:
            partner = self.by_ico[subject["ico"]]
            self.assertFalse(partner.creditcheck_defunct)
            self.assertEqual(partner.creditcheck_state, "green")
        self.run_sync("complete")
        self.assert_world(list(epoch1.values()), defunct_known=True)

    def test_defunct_is_due_by_the_yearly_setting_or_when_asked(self):
        sync = self.env["creditcheck.sync"]
        self.assertTrue(sync._defunct_due("cz"))
        sync._cron_defunct()
        self.assertFalse(sync._defunct_due("cz"))
        self.assertEqual(self.env["creditcheck.sync.log"].search_count([("kind", "=", "defunct")]), 2)
        sync._cron_defunct()  # not due again: no new run
        self.assertEqual(self.env["creditcheck.sync.log"].search_count([("kind", "=", "defunct")]), 2)
        # "Fetch the defunct list now" asks the cron for one more run, due or not
        sync.with_user(self.manager).action_fetch_defunct()
        sync._cron_defunct()
        self.assertEqual(self.env["creditcheck.sync.log"].search_count([("kind", "=", "defunct")]), 4)
        sync._cron_defunct()
        self.assertEqual(self.env["creditcheck.sync.log"].search_count([("kind", "=", "defunct")]), 4)

    def test_change_tracking_from_the_last_record_id(self):
        params = self.env["ir.config_parameter"].sudo()
        log = self.run_sync("changes")
        events = self.env["creditcheck.event"].search([])
        self.assertEqual(log.lines_applied, len(events))
        sazka = events.filtered(lambda e: e.ico == SAZKA)
        self.assertEqual(sorted(sazka.mapped("state")), ["orange", "red"])  # history, not the current status
        last = int(params.get_param("creditcheck_semaphore.last_record_id_cz"))
        self.assertEqual(last, max(int(r) for r in events.mapped("record_id")))
        self.assertEqual(self.run_sync("changes").lines_applied, 0)  # idempotent
        self.simulate(subjects=60, defunct_share=0.15, day=1)
        log = self.run_sync("changes")
        new = self.env["creditcheck.event"].search([]) - events
        self.assertEqual(log.lines_applied, len(new))
        self.assertIn((SAZKA, "orange"), {(e.ico, e.state) for e in new})
        self.assertTrue(all(int(e.record_id) > last for e in new))
        self.assertEqual(self.by_ico[SAZKA].creditcheck_event_count, 3)

    def test_cron_refresh_runs_each_country_as_a_batch(self):
        self.env["creditcheck.sync"]._cron_refresh()
        self.env["creditcheck.sync"]._cron_track_changes()
        logs = self.env["creditcheck.sync.log"].search([])
        self.assertEqual(
            sorted(logs.mapped(lambda log: (log.kind, log.country, log.state))),
            [
                ("changes", "cz", "done"),
                ("changes", "sk", "done"),
                ("complete", "cz", "done"),
                ("complete", "sk", "done"),
            ],
        )

    def test_single_subject_lookup_and_daily_limit(self):
        from ..clients import CreditcheckError

        self.simulate(subjects=60, ic_limit=2)
        client = self.env["creditcheck.service"]._get_client("cz")
        lines, _report = client.get_credit_check_ic(SAZKA)
        self.assertEqual({line.status for line in lines}, {2, 3})
        client.get_credit_check_ic(SAZKA)
        with self.assertRaises(CreditcheckError) as caught:
            client.get_credit_check_ic(SAZKA)
        self.assertEqual(caught.exception.code, "daily_limit")


@tagged("post_install", "-at_install")
class TestCreditcheckBadInput(CreditcheckCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulate(subjects=60)
        cls.partners = cls.make_partners(cls.subjects(limit=60))
        cls.env["creditcheck.sync"]._run("cz", "complete")
        cls.env["creditcheck.sync"]._run("cz", "defunct")

    def assert_untouched(self, log, code, before):
        self.assertEqual(log.state, "failed")
        self.assertIn(f"[{code}]", log.error)
        self.assertEqual(log.partners_changed, 0)
        self.assertEqual(self.snapshot(), before)

    def fail_with(self, code, **simulation):
        before = self.snapshot()
        self.simulate(**{"day": 15, **simulation})  # a day whose list would change statuses
        with mute_logger(LOG_MODULE):
            log = self.run_sync("complete")
        self.assert_untouched(log, code, before)
        return log

    def test_malformed_lines_are_counted_not_fatal(self):
        self.simulate(subjects=60, bad_lines=10)
        log = self.run_sync("complete")
        self.assertEqual(log.state, "done")
        self.assertEqual(log.lines_rejected, 10)
        self.assertEqual(log.lines_read, log.lines_applied + 10)
        for reason in (
            "expected 3 fields",
            "non-numeric record ID",
            "fails the check digit",
            "unknown status 7",
            "non-numeric status",
        ):
            self.assertIn(reason, log.rejects)

    def test_truncated_payload(self):
        self.fail_with("zip", payload_fault="truncate")

    def test_corrupt_zip(self):
        self.fail_with("zip", payload_fault="corrupt")

    def test_not_base64(self):
        self.fail_with("base64", payload_fault="not_base64")

    def test_oversize(self):
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.max_decompressed_mb", "1")
        log = self.fail_with("oversize", subjects=90000, risk_share=1.0)
        self.assertIn("1048576", log.error)

    def test_soap_fault(self):
        before = self.snapshot()
        self.simulate(subjects=60, day=15)
        self.sandbox_control.arm_fault("/creditcheck/cz/CreditCheckAktualizace.asmx", count=None, status=500)
        self.addCleanup(self.sandbox_control.clear_faults)
        with mute_logger(LOG_MODULE):
            log = self.run_sync("complete")
        self.assertEqual(log.state, "failed")
        self.assertEqual(self.snapshot(), before)

    def test_refused_login(self):
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.password", "wrong")
        self.fail_with("login_refused")

    def test_missing_credentials(self):
        # in production (the sandbox uses its documented account when none is entered)
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("creditcheck_semaphore.mode", "production")
        params.set_param(
            "creditcheck_semaphore.endpoint_cz", f"{self.sandbox_url}/creditcheck/cz/CreditCheckAktualizace.asmx"
        )
        params.set_param("creditcheck_semaphore.login", "")
        self.fail_with("config")

    def test_malformed_soap_answer(self):
        before = self.snapshot()
        self.simulate(subjects=60, day=15)
        self.sandbox_control.arm_fault("/creditcheck/cz/CreditCheckAktualizace.asmx", count=None, malformed=True)
        self.addCleanup(self.sandbox_control.clear_faults)
        with mute_logger(LOG_MODULE):
            log = self.run_sync("changes")
        self.assertEqual(log.state, "failed")
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(self.env["creditcheck.event"].search([]))
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.last_record_id_cz"))

    def test_a_stored_answer_is_applied_like_a_download(self):
        from ..clients.creditcheck_parser import encode_payload

        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.hold_share", "0")
        document = (
            "<creditCheck><webMethod>GetCreditChecks</webMethod><count>2</count>"
            f"<data><![CDATA[777;{SAZKA};2\n778;00177041;9]]></data></creditCheck>"
        )
        answer = (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            '<GetCreditChecksCompressedResponse xmlns="http://creditcheck.cz/"><GetCreditChecksCompressedResult>'
            f"{encode_payload(document)}</GetCreditChecksCompressedResult></GetCreditChecksCompressedResponse>"
            "</soap:Body></soap:Envelope>"
        ).encode()
        self.sandbox_control.clear_requests()
        log = self.run_sync("complete", answer=answer)
        self.assertRecordValues(
            log,
            [
                {
                    "state": "done",
                    "lines_read": 2,
                    "lines_rejected": 1,
                    "lines_applied": 1,
                    "payload_shape": "Base64 of a zip holding a <creditCheck> document",
                }
            ],
        )
        sazka = self.partners.filtered(lambda p: p.creditcheck_ico == SAZKA)
        self.assertRecordValues(sazka, [{"creditcheck_state": "orange", "creditcheck_record_id": "777"}])
        others = (self.partners - sazka).filtered(lambda p: not p.creditcheck_defunct)
        self.assertEqual(set(others.mapped("creditcheck_state")), {"green"})
        self.assertFalse(self.sandbox_control.requests("/creditcheck/"))  # no call to CreditCheck


@tagged("post_install", "-at_install")
class TestCreditcheckCheckNow(CreditcheckCase):
    simulation = {"subjects": 60, "ic_limit": 2}

    def test_check_one_subject_now_and_creditcheck_refusing_more(self):
        partner = self.env["res.partner"].create({"name": "Sazka", "company_registry": SAZKA, "country_id": self.cz.id})
        self.assertEqual(partner.creditcheck_state, "grey")
        self.assertEqual(partner.with_user(self.salesman).creditcheck_checks_left, 200)
        action = partner.with_user(self.salesman).action_creditcheck_check_now()
        self.assertIn("199 checks left", action["params"]["message"])
        sazka = next(s for s in self.subjects(limit=1) if s["ico"] == SAZKA)
        self.assertRecordValues(
            partner, [{"creditcheck_state": "red", "creditcheck_record_id": str(sazka["record_id"])}]
        )
        log = self.env["creditcheck.sync.log"].search([("kind", "=", "single")], limit=1)
        self.assertRecordValues(log, [{"state": "done", "method": "GetCreditCheckIc", "lines_read": 2, "ico": SAZKA}])
        partner.action_creditcheck_check_now()
        partner.invalidate_recordset(["creditcheck_checks_left"])
        self.assertEqual(partner.creditcheck_checks_left, 198)
        # the sandbox allows two a day: CreditCheck's own refusal is reported (and logged: see test_jobs)
        with self.assertRaises(UserError) as caught, mute_logger(LOG_MODULE):
            partner.action_creditcheck_check_now()
        self.assertIn("limit", str(caught.exception))
        self.assertIn("197 checks left", str(caught.exception))
        self.assertEqual(partner.creditcheck_state, "red")  # unchanged
        nobody = self.env["res.partner"].create({"name": "No IČO", "country_id": self.cz.id})
        with self.assertRaises(UserError):
            nobody.action_creditcheck_check_now()

    def test_the_daily_limit_is_counted_before_calling(self):
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.single_daily_limit", "1")
        partner = self.env["res.partner"].create({"name": "Sazka", "company_registry": SAZKA, "country_id": self.cz.id})
        self.assertEqual(partner.creditcheck_checks_left, 1)
        partner.action_creditcheck_check_now()
        partner.invalidate_recordset(["creditcheck_checks_left"])
        self.assertEqual(partner.creditcheck_checks_left, 0)
        self.sandbox_control.clear_requests()
        with self.assertRaises(UserError) as caught:
            partner.action_creditcheck_check_now()
        self.assertIn("used up", str(caught.exception))
        self.assertFalse(self.sandbox_control.requests("/creditcheck/"))  # not asked at all
        # a day later the checks are back
        with freeze_time(fields.Datetime.now() + timedelta(hours=25)):
            partner.invalidate_recordset(["creditcheck_checks_left"])
            self.assertEqual(partner.creditcheck_checks_left, 1)
