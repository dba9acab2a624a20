"""What the Settings tell an administrator: the endpoint and key in use, a connection test, the jobs' runs."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.kvk_service import PUBLIC_TEST_KEY
from ..models.res_partner import REFRESH_LOCK
from .common import KvkCase, KvkHttpCase
from .test_rpc_access import RpcError

SERVICE_LOGGER = "odoo.addons.kvk_connector.models.kvk_service"


@tagged("post_install", "-at_install")
class TestSettingsStatus(KvkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            login="kvk-status-admin",
            groups="base.group_system,kvk_connector.group_kvk_manager",
            company_id=cls.company.id,
        )
        cls.admin.company_ids = cls.company

    def settings(self):
        return Form(self.env["res.config.settings"].with_user(self.admin).with_company(self.company))

    def test_the_endpoint_shown_is_the_chosen_environments(self):
        settings = self.settings()
        expected = {
            "sandbox": (f"{self.sandbox_url}/kvk/api", f"{self.sandbox_url}/kvk/dataservice"),
            "test": ("https://api.kvk.nl/test/api", "https://webservices.preprod.kvk.nl/postbus1"),
            "production": ("https://api.kvk.nl/api", "https://webservices.kvk.nl/postbus1"),
        }
        for mode, (endpoint, dataservice) in expected.items():
            with self.subTest(mode=mode):
                settings.kvk_mode = mode  # not saved: the form follows the choice
                self.assertEqual(settings.kvk_endpoint_url, endpoint)
                self.assertEqual(settings.kvk_dataservice_endpoint_url, dataservice)
                self.assertEqual(settings.kvk_endpoint_url, self.env["kvk.service"]._endpoint_for_mode(mode))

    def test_without_a_key_the_settings_say_what_is_used(self):
        self.company.kvk_api_key = False
        settings = self.settings()
        settings.kvk_mode = "sandbox"
        self.assertIn("sandbox-demo", settings.kvk_key_note)
        settings.kvk_mode = "test"
        self.assertIn(PUBLIC_TEST_KEY, settings.kvk_key_note)
        settings.kvk_mode = "production"
        self.assertIn("cannot be asked", settings.kvk_key_note)
        settings.kvk_api_key = "l7xx-own"
        self.assertEqual(settings.kvk_key_note, "The company's own key is used.")
        # and the seam uses what the note says
        service = self.env["kvk.service"]
        for mode, key in (("sandbox", "sandbox-demo"), ("test", PUBLIC_TEST_KEY), ("production", "")):
            self.company.kvk_mode = mode
            self.assertEqual(service._api_key(self.company), key)

    def run_connection_test(self):
        settings = self.env["res.config.settings"].with_user(self.admin).with_company(self.company).create({})
        return settings.action_kvk_test_connection()["params"]

    def test_connection_works(self):
        self.company.kvk_api_key = False
        params = self.run_connection_test()
        self.assertEqual(params["type"], "success")
        self.assertIn("the connection works", params["message"])
        self.assertIn(f"{self.sandbox_url}/kvk/api", params["message"])
        (call,) = self.kvk_calls()
        self.assertEqual(call["query"]["kvkNummer"], ["68750110"])
        self.assertRecordValues(
            self.company_logs([]), [{"product": "zoeken", "cost": 0.0, "user_id": self.admin.id, "state": "done"}]
        )

    @mute_logger(SERVICE_LOGGER)
    def test_connection_refused_key(self):
        self.company.kvk_api_key = "not-a-sandbox-key"
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertEqual(params["message"], "The register refused the API key (HTTP 401).")

    @mute_logger(SERVICE_LOGGER)
    def test_connection_unreachable(self):
        self.company.kvk_timeout = 1
        self.sandbox_control.arm_fault("/kvk/", latency_ms=2500)
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertIn("cannot be reached", params["message"])
        self.assertIn("did not answer within 1 seconds", params["message"])

    @mute_logger(SERVICE_LOGGER)
    def test_connection_certificate_problem(self):
        self.company.write(
            {"kvk_connection": "public", "kvk_pki_certificate": b"bm90IGEgY2VydA==", "kvk_pki_key": False}
        )
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["message"].startswith("Certificate problem:"), params["message"])

    def test_production_without_a_key_calls_nothing(self):
        self.company.write({"kvk_mode": "production", "kvk_api_key": False})
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertFalse(self.company_logs([]))

    def test_only_administrators_test_the_connection(self):
        manager = new_test_user(
            self.env, login="kvk-status-manager", groups="base.group_user,kvk_connector.group_kvk_manager",
            company_id=self.company.id,
        )  # fmt: skip
        settings = self.env["res.config.settings"].with_user(self.admin).with_company(self.company).create({})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            settings.with_user(manager).action_kvk_test_connection()
        self.assertEqual(self.kvk_calls(), [])

    # -- the jobs' last runs ----------------------------------------------------------------------------

    def linked(self):
        partner = self.env["res.partner"].create(
            {"name": "Donald", "is_company": True, "company_registry": "68750110", "company_id": self.company.id}
        )
        self.env.cr.execute(
            "UPDATE res_partner SET kvk_linked = true, kvk_registration_kind = 'hoofdvestiging', "
            "kvk_branch_number = '000037178598' WHERE id = %s",
            [partner.id],
        )
        self.env.invalidate_all()
        return partner

    def test_the_last_successful_run_of_each_job_with_its_counts(self):
        settings = self.settings()
        self.assertEqual(settings.kvk_refresh_last_summary, "not run yet")
        self.assertFalse(settings.kvk_refresh_last_run)
        self.linked()
        Partner = self.env["res.partner"].with_context(kvk_backoff=0.01)
        # a run while another holds the company's refresh is skipped: recorded, but no success
        with self.registry.cursor() as other_run:
            other_run.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [REFRESH_LOCK, self.company.id])
            self.assertTrue(other_run.fetchone()[0])
            with mute_logger("odoo.addons.kvk_connector.models.res_partner"):
                Partner._cron_kvk_refresh()
            other_run.rollback()
        skipped = self.env["kvk.job.run"].search([("job", "=", "refresh"), ("company_id", "=", self.company.id)])
        self.assertEqual(skipped.state, "skipped")
        self.assertEqual(self.settings().kvk_refresh_last_summary, "not run yet")
        Partner._cron_kvk_refresh()
        run = self.env["kvk.job.run"].search(
            [("job", "=", "refresh"), ("company_id", "=", self.company.id), ("state", "=", "done")]
        )
        self.assertRecordValues(run, [{"done_count": 1, "failed_count": 0, "remaining_count": 0}])
        settings = self.settings()
        self.assertEqual(settings.kvk_refresh_last_run, run.ended_at)
        self.assertEqual(
            settings.kvk_refresh_last_summary, "contacts refreshed: 1, failed: 0, left for the next run: 0"
        )
        self.assertEqual(self.env["res.config.settings"]._fields["kvk_refresh_last_run"].type, "datetime")
        # the log's clean-up
        self.env["kvk.query.log"]._cron_purge()
        purge = self.env["kvk.job.run"]._last("purge")
        self.assertEqual(purge.summary, f"log entries removed: {purge.done_count}, left for the next run: 0")
        self.assertEqual(self.settings().kvk_purge_last_run, purge.ended_at)

    def test_runs_are_kept_as_long_as_the_log(self):
        run = self.env["kvk.job.run"]._record("refresh", self.company, done=3)
        self.env.cr.execute(
            "UPDATE kvk_job_run SET ended_at = %s WHERE id = %s", [fields.Datetime.now() - timedelta(days=800), run.id]
        )
        self.env.invalidate_all()
        self.env["kvk.query.log"]._cron_purge()
        self.assertFalse(run.exists())

    def test_runs_cannot_be_written_by_anyone(self):
        run = self.env["kvk.job.run"]._record("refresh", self.company)
        with self.assertRaises(Exception), mute_logger("odoo.models"):  # noqa: B017 - UserError or AccessError
            run.sudo().write({"done_count": 99})
        with self.assertRaises(Exception), mute_logger("odoo.models"):  # noqa: B017
            run.sudo().unlink()
        with self.assertRaises(Exception), mute_logger("odoo.models"):  # noqa: B017
            self.env["kvk.job.run"].sudo().create({"job": "refresh", "started_at": fields.Datetime.now()})


@tagged("post_install", "-at_install")
class TestJobRunAccess(KvkHttpCase):
    """The runs of the jobs over RPC, as users who should not see them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Andere B.V.", "kvk_mode": "sandbox"})
        cls.env.user.company_ids |= cls.other
        for login, groups, company in (
            ("kvk-run-portal", "base.group_portal", cls.company),
            ("kvk-run-plain", "base.group_user", cls.company),
            ("kvk-run-user", "base.group_user,kvk_connector.group_kvk_user", cls.company),
            ("kvk-run-manager", "base.group_user,kvk_connector.group_kvk_manager", cls.company),
            ("kvk-run-other", "base.group_user,kvk_connector.group_kvk_manager", cls.other),
        ):
            new_test_user(cls.env, login=login, groups=groups, company_id=company.id)
        Runs = cls.env["kvk.job.run"]
        cls.ours = Runs._record("refresh", cls.company, done=5)
        cls.theirs = Runs._record("refresh", cls.other, done=7)
        cls.purge = Runs._record("purge", done=2)

    def rpc(self, login, model, method, args=(), **kwargs):
        self.authenticate(login, login)
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        try:
            return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", params)
        except Exception as error:  # noqa: BLE001 - the JSON-RPC error as a value
            return RpcError(str(error))

    @mute_logger("odoo.http")
    def test_who_reads_the_runs(self):
        for login in ("kvk-run-portal", "kvk-run-plain", "kvk-run-user"):
            with self.subTest(login=login):
                self.assertIsInstance(
                    self.rpc(login, "kvk.job.run", "search_read", [[]], fields=["done_count"]), RpcError
                )
        seen = self.rpc("kvk-run-manager", "kvk.job.run", "search_read", [[]], fields=["id"])
        self.assertEqual(
            {row["id"] for row in seen} & {self.ours.id, self.theirs.id, self.purge.id}, {self.ours.id, self.purge.id}
        )
        seen = self.rpc("kvk-run-other", "kvk.job.run", "search_read", [[]], fields=["id"])
        self.assertEqual(
            {row["id"] for row in seen} & {self.ours.id, self.theirs.id, self.purge.id}, {self.theirs.id, self.purge.id}
        )
        self.assertIsInstance(
            self.rpc("kvk-run-manager", "kvk.job.run", "write", [[self.ours.id], {"done_count": 1}]), RpcError
        )
        self.assertIsInstance(self.rpc("kvk-run-manager", "kvk.job.run", "create", [{"job": "refresh"}]), RpcError)
        self.assertIsInstance(self.rpc("kvk-run-manager", "kvk.job.run", "unlink", [[self.ours.id]]), RpcError)
        self.assertEqual(self.ours.done_count, 5)

    @mute_logger("odoo.http")
    def test_the_connection_test_is_for_administrators_over_rpc(self):
        for login in ("kvk-run-portal", "kvk-run-plain", "kvk-run-manager"):
            with self.subTest(login=login):
                self.assertIsInstance(
                    self.rpc(login, "res.config.settings", "action_kvk_test_connection", [[]]), RpcError
                )
        self.assertEqual(self.kvk_calls("/kvk/"), [])
