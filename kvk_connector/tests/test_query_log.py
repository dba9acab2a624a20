from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..clients import KvkError
from ..models.kvk_service import SANDBOX_URL_PARAM
from .common import KvkCase


@tagged("post_install", "-at_install")
class TestQueryLog(KvkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls.env["kvk.service"].with_user(cls.salesperson)
        cls.colleague = new_test_user(
            cls.env,
            login="kvk-colleague",
            groups="base.group_user,kvk_connector.group_kvk_user",
            company_id=cls.company.id,
        )
        cls.auditor = new_test_user(
            cls.env,
            login="kvk-auditor",
            groups="base.group_user,kvk_connector.group_kvk_auditor",
            company_id=cls.company.id,
        )
        cls.admin = new_test_user(
            cls.env,
            login="kvk-admin",
            groups="base.group_system,kvk_connector.group_kvk_manager",
            company_id=cls.company.id,
        )
        cls.partner = cls.env["res.partner"].create({"name": "Donald", "is_company": True})

    def kvk_error(self, call):
        """The KvkError ``call()`` raises; unlike assertRaises, no savepoint is rolled back (the log stays)."""
        try:
            call()
        except KvkError as error:
            return error
        self.fail("no KvkError raised")

    def test_every_call_is_logged(self):
        self.service._fetch_profile("68750110", partner=self.partner)
        log = self.company_logs([("partner_id", "=", self.partner.id)])
        self.assertRecordValues(
            log,
            [
                {
                    "user_id": self.salesperson.id,
                    "company_id": self.company.id,
                    "channel": "ui",
                    "product": "basisprofiel",
                    "state": "done",
                    "http_status": 200,
                    "cost": 0.019,
                    "error_code": False,
                }
            ],
        )
        self.assertIn("68750110", log.params)
        self.assertEqual(log._payload()["kvkNummer"], "68750110")
        self.assertGreater(log.duration_ms, 0)

    def test_large_answers_go_to_an_attachment(self):
        self.service._call("basisprofiel", "basisprofiel_part", "90006577", "vestigingen")
        log = self.company_logs([], limit=1)
        self.assertFalse(log.response)
        self.assertEqual(log.response_attachment_id.mimetype, "application/json")
        self.assertEqual(log._payload()["totaalAantalVestigingen"], 1000)

    def test_paid_answers_come_from_the_cache(self):
        first = self.service._fetch_profile("68750110")
        second = self.service._fetch_profile("68750110")
        self.assertEqual(first, second)
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/basisprofielen")), 1)
        logs = self.company_logs([("product", "=", "basisprofiel")])
        self.assertEqual(logs.mapped("state"), ["cached", "done"])
        self.assertEqual(logs.mapped("cost"), [0.0, 0.019])
        self.company.kvk_cache_hours = 0
        self.service._fetch_profile("68750110")
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/basisprofielen")), 2)

    def test_the_cache_keeps_modes_and_endpoints_apart(self):
        self.service._fetch_profile("68750110")
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/basisprofielen")), 1)
        # the same register behind another address: an answer of one endpoint is not served for another
        other = self.sandbox_url.replace("127.0.0.1", "localhost")
        self.env["ir.config_parameter"].sudo().set_param(SANDBOX_URL_PARAM, other)
        self.service._fetch_profile("68750110")
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/basisprofielen")), 2)
        self.service._fetch_profile("68750110")  # that endpoint's own answer is cached now
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/basisprofielen")), 2)
        # switched to KvK's test environment: a sandbox answer is no answer of KvK (here: no network at all)
        self.company.kvk_mode = "test"
        caught = self.kvk_error(lambda: self.service._fetch_profile("68750110"))
        self.assertEqual(caught.code, "network")
        self.assertEqual(
            self.company_logs([("product", "=", "basisprofiel")]).mapped("state"), ["error", "cached", "done", "done"]
        )

    def test_the_month_of_the_cap_starts_in_the_company_time_zone(self):
        """At 00:30 on 1 April in Amsterdam it is still 31 March in UTC: March's spending no longer counts."""
        self.company.write({"kvk_monthly_cap": 0.03, "kvk_cache_hours": 0})
        self.company.partner_id.tz = "Europe/Amsterdam"
        self.service._fetch_profile("68750110")
        march = self.company_logs([("state", "=", "done")])
        self.env.flush_all()
        self.env.cr.execute(  # 23:30 on 31 March in Amsterdam
            "UPDATE kvk_query_log SET create_date = %s WHERE id = %s", [datetime(2026, 3, 31, 21, 30), march.id]
        )
        self.env.invalidate_all()
        with freeze_time("2026-03-31 22:30:00"):  # 00:30 on 1 April in Amsterdam
            self.assertEqual(self.env["kvk.service"]._month_start(self.company), datetime(2026, 3, 31, 22, 0))
            self.service._fetch_profile("68727720")  # a new month: 0.019 of 0.03
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/basisprofielen")), 2)
        self.company.partner_id.tz = "America/Curacao"  # UTC-4: there it is still March
        with freeze_time("2026-03-31 22:30:00"):
            self.assertEqual(self.env["kvk.service"]._month_start(self.company), datetime(2026, 3, 1, 4, 0))
            caught = self.kvk_error(lambda: self.service._fetch_profile("69599084"))
        self.assertEqual(caught.code, "cap")
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/basisprofielen")), 2)

    def test_monthly_cap_blocks_paid_calls(self):
        self.company.write({"kvk_monthly_cap": 0.03, "kvk_cache_hours": 0})
        self.service._fetch_profile("68750110")
        caught = self.kvk_error(lambda: self.service._fetch_profile("68727720"))
        self.assertEqual(caught.code, "cap")
        self.assertIn("budget", self.service._error_message(caught))
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/")), 1)
        self.assertEqual(self.company_logs([], limit=1).state, "blocked")
        self.service._search_register({"kvkNummer": "68727720"})  # searching stays free and allowed

    def test_usage_per_user_product_and_month(self):
        self.company.kvk_cache_hours = 0
        self.service._search_register({"naam": "Donald"})
        self.service._fetch_profile("68750110")
        self.service._fetch_profile("68727720")
        self.env["kvk.service"].with_user(self.colleague)._fetch_profile("68750110")
        Log = self.env["kvk.query.log"].with_user(self.admin)
        groups = Log._read_group(
            [("company_id", "=", self.company.id)],
            ["user_id", "product", "create_date:month"],
            ["call_count:sum", "cost:sum"],
        )
        usage = {(user.login, product): (calls, round(cost, 4)) for user, product, _month, calls, cost in groups}
        self.assertEqual(
            usage,
            {
                ("kvk-salesperson", "zoeken"): (1, 0.0),
                ("kvk-salesperson", "basisprofiel"): (2, 0.038),
                ("kvk-colleague", "basisprofiel"): (1, 0.019),
            },
        )
        views = Log.get_views([(False, "pivot"), (False, "graph")])["views"]
        self.assertIn("call_count", views["pivot"]["arch"])
        self.assertIn("cost", views["graph"]["arch"])

    def test_nobody_changes_or_deletes_the_log(self):
        self.service._search_register({"naam": "Donald"})
        log = self.company_logs([], limit=1)
        for user in (self.salesperson, self.admin):
            entry = log.with_user(user)
            with self.assertRaises(UserError), mute_logger("odoo.models"):
                entry.write({"cost": 0})
            with self.assertRaises(UserError), mute_logger("odoo.models"):
                entry.unlink()
            with self.assertRaises(UserError), mute_logger("odoo.models"):
                self.env["kvk.query.log"].with_user(user).create({"product": "zoeken", "company_id": self.company.id})
        with self.assertRaises(UserError):
            log.sudo().write({"cost": 0})
        with self.assertRaises(UserError):
            log.sudo().unlink()

    def test_who_reads_the_log(self):
        self.service._search_register({"naam": "Donald"})
        self.env["kvk.service"].with_user(self.colleague)._search_register({"naam": "Katrien"})
        Log = self.env["kvk.query.log"]
        self.assertEqual(Log.with_user(self.salesperson).search([]).user_id, self.salesperson)
        self.assertEqual(Log.with_user(self.colleague).search([]).user_id, self.colleague)
        self.assertEqual(len(Log.with_user(self.auditor).search([])), 2)
        self.assertEqual(len(Log.with_user(self.admin).search([])), 2)
        other = self.env["res.company"].create({"name": "Elders B.V."})
        self.auditor.write({"company_ids": [(4, other.id)], "company_id": other.id})
        self.assertFalse(Log.with_user(self.auditor).with_context(allowed_company_ids=other.ids).search([]))
        plain = new_test_user(self.env, login="kvk-plain", groups="base.group_user", company_id=self.company.id)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Log.with_user(plain).search([])

    def test_retention_removes_old_entries(self):
        self.service._search_register({"naam": "Donald"})
        self.service._call("basisprofiel", "basisprofiel_part", "90006577", "vestigingen")
        old = self.company_logs([])
        attachment = old.response_attachment_id
        self.assertTrue(attachment)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE kvk_query_log SET create_date = %s WHERE id IN %s",
            (fields.Datetime.now() - timedelta(days=40), tuple(old.ids)),
        )
        self.service._search_register({"naam": "Katrien"})
        self.env["ir.config_parameter"].sudo().set_param("kvk_connector.log_retention_days", 30)
        self.assertEqual(self.env["kvk.query.log"]._cron_purge(), 2)
        self.assertEqual(self.company_logs([]).mapped("params")[0].count("Katrien"), 1)
        self.assertFalse(old.exists())
        self.assertFalse(attachment.exists())

    def test_timeout_is_reported_not_hung(self):
        self.company.kvk_timeout = 1
        self.sandbox_control.arm_fault("/kvk/api/v2/zoeken", latency_ms=2500)
        caught = self.kvk_error(lambda: self.service._search_register({"naam": "Donald"}))
        self.assertEqual(caught.code, "timeout")
        self.assertIn("1 seconds", self.service._error_message(caught))
        # what happened: one attempt, given up and logged as a time-out, no retry from the user interface
        self.assertRecordValues(
            self.company_logs([("product", "=", "zoeken")]), [{"state": "error", "error_code": "timeout", "attempt": 1}]
        )

    def test_ui_never_retries(self):
        self.sandbox_control.arm_fault("/kvk/api/v1/basisprofielen", status=503, count=1)
        caught = self.kvk_error(lambda: self.service._fetch_profile("68750110"))
        self.assertEqual(caught.code, "IPD1003")
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/")), 1)
        log = self.company_logs([], limit=1)
        self.assertRecordValues(log, [{"state": "error", "error_code": "IPD1003", "http_status": 503, "attempt": 1}])

    def test_cron_retries_transient_faults_with_backoff(self):
        partner = self.env["res.partner"].create(
            {"name": "Katrien", "is_company": True, "company_registry": "68727720", "kvk_branch_number": "000037143557"}
        )
        self.env.cr.execute(
            "UPDATE res_partner SET kvk_linked = true, kvk_last_update = NULL WHERE id = %s", [partner.id]
        )
        self.env.invalidate_all()
        self.sandbox_control.arm_fault("/kvk/api/v1/vestigingsprofielen", status=503, count=2)
        done = self.env["res.partner"].with_context(kvk_backoff=0.01)._cron_kvk_refresh()
        self.assertEqual(done, 1)
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/")), 3)
        logs = self.company_logs([("partner_id", "=", partner.id)], order="id")
        self.assertEqual(logs.mapped("attempt"), [1, 2, 3])
        self.assertEqual(logs.mapped("state"), ["error", "error", "done"])
        self.assertEqual(set(logs.mapped("channel")), {"cron"})
        self.assertEqual(partner.kvk_rsin, "291417772")

    def test_cron_gives_up_on_permanent_errors(self):
        partner = self.env["res.partner"].create({"name": "Gone", "is_company": True, "company_registry": "12345678"})
        self.env.cr.execute("UPDATE res_partner SET kvk_linked = true WHERE id = %s", [partner.id])
        self.env.invalidate_all()
        self.env["res.partner"].with_context(kvk_backoff=0.01)._cron_kvk_refresh()
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/")), 1)
        self.assertIn("no data for this KvK number", partner.message_ids[0].body)
