"""What the Settings tell an administrator: the endpoint and certificate in use, a connection test
that says what happened, and the last successful run of each job with its counts."""

import base64
import shutil
import ssl
import tempfile
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from ..clients import BillRetainmentClient, KszClient
from ..models.social_debt_check import LOCK_HOUSEKEEPING
from ..models.social_debt_service import CA_BUNDLE_PARAM, LOCK_MONITOR, SANDBOX_CERTIFICATE_NAME
from .common import BOTH_DEBTS, NO_DEBT, OWN_NUMBER, SocialDebtCase, SocialDebtHttpCase

try:
    from sandbox.tls import make_test_pki
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError("social_debt's tests need the project's sandbox on PYTHONPATH (make test does)") from exc


class SettingsMixin:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            login="sd-status-admin",
            groups="base.group_system,social_debt.group_social_debt_manager",
            company_id=cls.company.id,
        )
        cls.admin.company_ids = cls.company

    def settings(self):
        return Form(self.env["res.config.settings"].with_user(self.admin).with_company(self.company))

    def run_connection_test(self):
        settings = self.env["res.config.settings"].with_user(self.admin).with_company(self.company).create({})
        return settings.action_social_debt_test_connection()["params"]

    def last_test_run(self):
        return (
            self.env["social.debt.run"]
            .sudo()
            .search([("job", "=", "test"), ("company_id", "=", self.company.id)], limit=1)
        )


@tagged("post_install", "-at_install")
class TestSettingsStatus(SettingsMixin, SocialDebtCase):
    def test_the_endpoint_shown_is_the_chosen_environments(self):
        self.company.write(
            {
                "social_debt_endpoint": "https://b2b.ksz.example/EmployerAccountBalance",
                "social_debt_billretainment_endpoint": "https://rsz.example/billRetainment/v1",
            }
        )
        settings = self.settings()
        self.assertEqual(settings.social_debt_endpoint_url, f"{self.sandbox_url}/ksz/EmployerAccountBalance")
        self.assertEqual(
            settings.social_debt_fiscal_endpoint_url, f"{self.sandbox_url}/ksz/EnterpriseFiscalDebtService/v2/consult"
        )
        settings.social_debt_backend = "billretainment"  # not saved: the form follows the choice
        self.assertEqual(settings.social_debt_endpoint_url, f"{self.sandbox_url}/rsz/billRetainment/v1")
        settings.social_debt_mode = "production"
        self.assertEqual(settings.social_debt_endpoint_url, "https://rsz.example/billRetainment/v1")
        settings.social_debt_backend = "ksz"
        self.assertEqual(settings.social_debt_endpoint_url, "https://b2b.ksz.example/EmployerAccountBalance")
        self.assertEqual(
            settings.social_debt_fiscal_endpoint_url,
            "https://b2b.kszbcss.fgov.be:4520/EnterpriseFiscalDebtService/v2/consult",
        )
        settings.social_debt_endpoint = False
        self.assertEqual(settings.social_debt_endpoint_url, "not entered yet")
        settings.social_debt_check_tax = False
        self.assertFalse(settings.social_debt_fiscal_endpoint_url)
        # the production addresses are not shown while the sandbox is chosen
        arch = self.env.ref("social_debt.res_config_settings_view_form").arch
        self.assertIn("""invisible="social_debt_mode == 'sandbox'\"""", arch)

    def test_without_a_certificate_the_settings_say_what_signs(self):
        self.company.social_debt_certificate = False
        settings = self.settings()
        self.assertIn(SANDBOX_CERTIFICATE_NAME, settings.social_debt_certificate_note)
        self.assertIn("billRetainment is asked without one", settings.social_debt_certificate_note)
        settings.social_debt_mode = "production"
        self.assertIn("production needs the company's certificate", settings.social_debt_certificate_note)
        settings.social_debt_certificate = base64.b64encode(self.pem)
        self.assertEqual(settings.social_debt_certificate_note, "The company's own certificate signs the requests.")

    def test_the_sandbox_demo_certificate_signs_a_real_check(self):
        """A company without a certificate of its own checks a supplier in the sandbox: the sandbox
        verifies the signature, made with the demo certificate the server makes."""
        self.company.write({"social_debt_certificate": False, "social_debt_certificate_password": False})
        partner = self.supplier(BOTH_DEBTS)
        (check,) = self.env["social.debt.service"].with_user(self.checker)._check_partners(partner).sudo()
        self.assertRecordValues(check, [{"state": "answered", "verdict": "social_tax_debt"}])
        self.assertEqual([call["status"] for call in self.calls()], [200, 200])
        # only certificates the sandbox is told to trust: the demo certificate is then refused, as a real KSZ would
        self.simulate(trusted_certificates=["ab" * 32])
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.assertEqual(check.error_code, "signature_refused")
        # production never uses it: without a certificate nothing is sent
        self.simulate()
        self.sandbox_control.clear_requests()
        self.company.write({"social_debt_mode": "production", "social_debt_endpoint": self.calls_url()})
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.assertEqual(check.error_code, "certificate")
        self.assertEqual(self.calls(), [])

    def calls_url(self):
        return f"{self.sandbox_url}/ksz/EmployerAccountBalance"

    # -- the connection test ----------------------------------------------------------------------

    def test_connection_works_and_asks_about_nobody_else(self):
        self.company.social_debt_certificate = False  # the sandbox demo certificate
        with (
            patch.object(KszClient, "consult_social", side_effect=AssertionError("a supplier was asked about")),
            patch.object(KszClient, "collect_batch", autospec=True, side_effect=KszClient.collect_batch) as collect,
            patch.object(KszClient, "check_fiscal", autospec=True, side_effect=KszClient.check_fiscal) as fiscal,
        ):
            params = self.run_connection_test()
        ((_client, batch_ticket, _context, _offset, _limit),) = [call.args for call in collect.call_args_list]
        self.assertFalse(self.env["social.debt.batch"].sudo().search([("ticket", "=", batch_ticket)]))
        ((_client, number, _ticket, _context),) = [call.args for call in fiscal.call_args_list]
        self.assertEqual(number, OWN_NUMBER, "only the company's own tax status")
        self.assertIs(fiscal.call_args.kwargs["include_amount"], False)
        self.assertEqual(params["type"], "success", params["message"])
        self.assertIn("the connection works", params["message"])
        self.assertIn(f"{self.sandbox_url}/ksz/EmployerAccountBalance answered in", params["message"])
        self.assertIn(f"{self.sandbox_url}/ksz/EnterpriseFiscalDebtService/v2/consult answered in", params["message"])
        self.assertEqual(
            [call["path"] for call in self.calls()],
            ["/ksz/EmployerAccountBalance", "/ksz/EnterpriseFiscalDebtService/v2/consult"],
        )
        self.assertFalse(self.env["social.debt.check"].sudo().search([("company_id", "=", self.company.id)]))
        self.assertRecordValues(
            self.last_test_run(), [{"state": "done", "message": params["message"], "create_uid": self.admin.id}]
        )

    def test_connection_works_with_billretainment(self):
        self.company.write({"social_debt_backend": "billretainment", "social_debt_check_tax": False})
        with patch.object(
            BillRetainmentClient, "search", autospec=True, side_effect=BillRetainmentClient.search
        ) as search:
            params = self.run_connection_test()
        self.assertEqual(params["type"], "success", params["message"])
        self.assertIn(f"{self.sandbox_url}/rsz/billRetainment/v1 answered in", params["message"])
        self.assertEqual(search.call_args.args[1], [OWN_NUMBER], "the company's own number only")
        self.assertEqual(len(self.calls("/rsz/")), 1)
        # (a request of an earlier test that the sandbox held back on purpose may still end now: those
        # carry their fault)
        self.assertEqual([call for call in self.calls("/ksz/") if not call["fault"]], [])

    @mute_logger("odoo.addons.social_debt.models.social_debt_service")
    def test_connection_refused_credentials(self):
        self.simulate(trusted_certificates=["cd" * 32])
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertTrue(
            params["message"].startswith("The KSZ/BCSS refused the company's certificate:"), params["message"]
        )
        self.assertIn("FailedAuthentication", params["message"])
        self.assertRecordValues(self.last_test_run(), [{"state": "error"}])
        self.company.write({"social_debt_backend": "billretainment", "social_debt_check_tax": False})
        self.sandbox_control.arm_fault("/rsz/", status=401)
        params = self.run_connection_test()
        self.assertEqual(
            (params["type"], params["message"]),
            ("danger", "The service refused the company's credentials (HTTP 401)."),
        )

    def test_connection_certificate_problem(self):
        self.company.write({"social_debt_certificate": base64.b64encode(b"not a PEM file")})
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertEqual(
            params["message"],
            "Certificate problem: The KSZ certificate and key cannot be read. Ask an administrator to check the "
            "certificate and its password in Settings > Social Debt.",
        )
        self.company.write(
            {"social_debt_certificate": base64.b64encode(self.pem), "social_debt_certificate_password": "wrong"}
        )
        self.assertTrue(self.run_connection_test()["message"].startswith("Certificate problem:"))
        self.assertEqual(self.calls(), [], "nothing was sent")

    def test_connection_unreachable(self):
        self.company.social_debt_timeout = 1
        self.sandbox_control.arm_fault("/ksz/", latency_ms=2500)
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertEqual(
            params["message"],
            f"{self.sandbox_url}/ksz/EmployerAccountBalance cannot be reached: The service did not answer in time. "
            "Try again later.",
        )
        self.env["ir.config_parameter"].sudo().set_param("register_connectors.sandbox_url", "http://127.0.0.1:9")
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertIn("http://127.0.0.1:9/ksz/EmployerAccountBalance cannot be reached", params["message"])

    def test_connection_without_an_endpoint_or_a_number_says_what_to_enter(self):
        self.company.write({"social_debt_mode": "production", "social_debt_endpoint": False})
        params = self.run_connection_test()
        self.assertEqual(params["type"], "warning")
        self.assertIn("has no KSZ endpoint", params["message"])
        self.company.write(
            {"social_debt_mode": "sandbox", "company_registry": False, "social_debt_customer_number": False}
        )
        params = self.run_connection_test()
        self.assertEqual(params["type"], "warning")
        self.assertIn("no valid enterprise number of its own", params["message"])
        self.assertEqual(self.calls(), [])

    def test_only_administrators_test_the_connection(self):
        manager = new_test_user(
            self.env, login="sd-status-manager", groups="base.group_user,social_debt.group_social_debt_manager",
            company_id=self.company.id,
        )  # fmt: skip
        settings = self.env["res.config.settings"].with_user(self.admin).with_company(self.company).create({})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            settings.with_user(manager).action_social_debt_test_connection()
        self.assertEqual(self.calls(), [])

    # -- the jobs' last runs ------------------------------------------------------------------------

    def test_the_last_successful_run_of_each_job_with_its_counts(self):
        settings = self.settings()
        for job in ("monitor", "send", "collect", "housekeeping"):
            self.assertEqual(settings[f"social_debt_{job}_last_summary"], "not run yet")
            self.assertFalse(settings[f"social_debt_{job}_last_run"])
        self.company_2.social_debt_monitoring = False
        for number in (NO_DEBT, BOTH_DEBTS):
            self.bill(self.supplier(number), 100.0)
        Service = self.env["social.debt.service"]
        # a run while another holds the company's monitoring is skipped: recorded, but no success
        with self.registry.cursor() as other_run:
            other_run.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_MONITOR, self.company.id])
            self.assertTrue(other_run.fetchone()[0])
            self.assertEqual(Service._cron_monitor(), 0)
            other_run.rollback()
        self.assertEqual(self.settings().social_debt_monitor_last_summary, "not run yet")
        self.assertEqual(Service._cron_monitor(), 1)
        Service._cron_process_batches()
        self.env["social.debt.check"]._cron_housekeeping()
        settings = self.settings()
        Runs = self.env["social.debt.run"].sudo()
        monitor = Runs._last("monitor", self.company)
        self.assertEqual(settings.social_debt_monitor_last_run, monitor.create_date)
        self.assertEqual(settings.social_debt_monitor_last_summary, "suppliers asked: 2")
        self.assertEqual(settings.social_debt_send_last_summary, "questions sent: 2")
        self.assertEqual(settings.social_debt_collect_last_summary, "answers applied: 2; all answers in")
        self.assertEqual(
            settings.social_debt_housekeeping_last_summary, "checks expired: 0, removed: 0, left for the next run: 0"
        )
        self.assertTrue(settings.social_debt_housekeeping_last_run)
        self.assertEqual(self.env["res.config.settings"]._fields["social_debt_monitor_last_run"].type, "datetime")
        # a failed run leaves the last success as it was
        self.bill(self.supplier(self.enterprises("no_debt", offset=5)[0]), 10.0)
        Service._cron_monitor()
        self.sandbox_control.arm_fault("/ksz/", count=10, status=503)
        with mute_logger("odoo.addons.social_debt.models.social_debt_service"):
            Service._cron_process_batches()
        failed = Runs.search([("job", "=", "send"), ("company_id", "=", self.company.id)], limit=1)
        self.assertEqual(failed.state, "error")
        self.assertTrue(failed.summary.startswith("failed: "), failed.summary)
        self.assertEqual(self.settings().social_debt_send_last_summary, "questions sent: 2")

    def test_the_clean_up_runs_once_at_a_time_and_counts_what_it_did(self):
        partner = self.supplier(NO_DEBT)
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.env.cr.execute(
            "UPDATE social_debt_check SET valid_until = %s WHERE id = %s",
            [check.answer_date - timedelta(days=1), check.id],
        )
        self.env.invalidate_all()
        Check = self.env["social.debt.check"]
        with self.registry.cursor() as other_run:
            other_run.execute("SELECT pg_try_advisory_xact_lock(%s, 0)", [LOCK_HOUSEKEEPING])
            self.assertEqual(Check._cron_housekeeping(), (0, 0))
            other_run.rollback()
        self.assertEqual(check.state, "answered", "the skipped run changed nothing")
        skipped = self.env["social.debt.run"].sudo().search([("job", "=", "housekeeping")], limit=1)
        self.assertRecordValues(skipped, [{"state": "skipped", "company_id": False}])
        self.assertEqual(Check._cron_housekeeping(), (1, 0))
        self.assertEqual(check.state, "expired")
        done = self.env["social.debt.run"]._last("housekeeping")
        self.assertEqual(done.summary, "checks expired: 1, removed: 0, left for the next run: 0")
        self.assertNotIn("social.debt.run", done.display_name)
        self.assertTrue(done.display_name.startswith("Expiry and clean-up "), done.display_name)

    def test_runs_are_kept_as_long_as_the_checks(self):
        run = self.env["social.debt.service"]._log_run(None, "housekeeping", "done")
        self.env.cr.execute(
            "UPDATE social_debt_run SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=3700), run.id],
        )
        self.env.invalidate_all()
        self.env["social.debt.check"]._cron_housekeeping()
        self.assertFalse(run.exists())


@tagged("post_install", "-at_install")
class TestConnectionOverTls(SettingsMixin, SocialDebtCase):
    """The connection test against a sandbox on HTTPS whose certificate comes from a CA made for this
    run: untrusted, it is a certificate problem; with the CA as the CA bundle, the connection works."""

    @classmethod
    def _sandbox_tls(cls):
        folder = tempfile.mkdtemp(prefix="social-debt-pki-")
        cls.addClassCleanup(shutil.rmtree, folder, True)
        cls.pki = make_test_pki(folder, client_name="Bouwwerken Gent NV")
        return cls.pki.tls_config(require_client_cert=False)

    @classmethod
    def _sandbox_control_context(cls):
        return ssl.create_default_context(cafile=str(cls.pki.ca_file))

    @mute_logger("odoo.addons.social_debt.models.social_debt_service")
    def test_an_untrusted_service_certificate_then_a_trusted_one(self):
        self.assertTrue(self.sandbox_url.startswith("https://"))
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["message"].startswith("Certificate problem: The secure connection failed"), params)
        self.env["ir.config_parameter"].sudo().set_param(CA_BUNDLE_PARAM, str(self.pki.ca_file))
        params = self.run_connection_test()
        self.assertEqual(params["type"], "success", params["message"])
        self.assertIn(f"{self.sandbox_url}/ksz/EmployerAccountBalance answered in", params["message"])


@tagged("post_install", "-at_install")
class TestSettingsOverRpc(SocialDebtHttpCase):
    """The connection test and the runs over /web/dataset/call_kw, as users who should not get in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._user("sd-run-manager", "social_debt.group_social_debt_manager")
        cls.theirs = cls._user("sd-run-other", "social_debt.group_social_debt_manager", cls.company_2)
        Service = cls.env["social.debt.service"]
        cls.ours = Service._log_run(cls.company, "monitor", "done", count=5)
        cls.their_run = Service._log_run(cls.company_2, "monitor", "done", count=7)
        cls.installation = Service._log_run(None, "housekeeping", "done", count=2)

    def call(self, user, model, method, *args, **kwargs):
        password = "sd-portal-pass" if user == self.portal else f"{user.login}-pass"
        self.authenticate(user.login, password)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        )

    def refused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(Exception) as caught, mute_logger("odoo.http"):  # noqa: B017 - any RPC error
            self.call(user, model, method, *args, **kwargs)
        return str(caught.exception)

    def test_the_connection_test_is_for_administrators(self):
        for user in (self.portal, self.internal, self.checker, self.manager):
            with self.subTest(user=user.login):
                self.refused(user, "res.config.settings", "action_social_debt_test_connection", [])
        self.assertEqual(self.calls(), [])

    def test_who_reads_the_runs(self):
        for user in (self.portal, self.internal, self.checker):
            with self.subTest(user=user.login):
                self.refused(user, "social.debt.run", "search_read", [], fields=["count"])
        ids = {self.ours.id, self.their_run.id, self.installation.id}
        seen = self.call(self.manager, "social.debt.run", "search_read", [], fields=["summary"])
        self.assertEqual({row["id"] for row in seen} & ids, {self.ours.id, self.installation.id})
        seen = self.call(self.theirs, "social.debt.run", "search_read", [], fields=["summary"])
        self.assertEqual({row["id"] for row in seen} & ids, {self.their_run.id, self.installation.id})
        self.refused(self.manager, "social.debt.run", "write", [self.ours.id], {"count": 1})
        self.refused(self.manager, "social.debt.run", "unlink", [self.ours.id])
        self.assertEqual(self.ours.count, 5)
