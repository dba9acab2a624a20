import threading
from unittest.mock import patch

import requests

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.creditcheck_service import SANDBOX_URL_PARAM
from .common import LOG_MODULE, SAZKA, CreditcheckCase, CreditcheckHttpCase, SandboxCaseMixin

CRONS = {
    kind: f"creditcheck_semaphore.ir_cron_creditcheck_semaphore_{kind}"
    for kind in ("refresh", "track_changes", "defunct", "notify", "digest")
}


@tagged("post_install", "-at_install")
class TestCreditcheckButtons(CreditcheckCase):
    def triggers(self, kind):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.env.ref(CRONS[kind]).id)])

    def test_buttons_start_the_jobs_in_the_background(self):
        before = {kind: self.triggers(kind) for kind in ("refresh", "track_changes", "defunct")}
        self.sandbox_control.clear_requests()
        settings = self.env["res.config.settings"].with_user(self.manager)
        action = settings.action_creditcheck_refresh()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.triggers("refresh"), before["refresh"] + 1)
        self.assertEqual(self.triggers("track_changes"), before["track_changes"] + 1)
        settings.action_creditcheck_fetch_defunct()
        self.assertEqual(self.triggers("defunct"), before["defunct"] + 1)
        # nothing ran inside the request
        self.assertFalse(self.env["creditcheck.sync.log"].search([]))
        self.assertFalse(self.sandbox_control.requests("/creditcheck/"))
        for method in ("action_refresh_now", "action_fetch_defunct"):
            with self.assertRaises(AccessError):
                getattr(self.env["creditcheck.sync"].with_user(self.salesman), method)()

    def test_the_crons_live_on_the_models_they_serve(self):
        models = {kind: self.env.ref(xmlid).model_id.model for kind, xmlid in CRONS.items()}
        self.assertEqual(
            models,
            {
                "refresh": "creditcheck.sync",
                "track_changes": "creditcheck.sync",
                "defunct": "creditcheck.sync",
                "notify": "res.partner",
                "digest": "creditcheck.event",
            },
        )


@tagged("post_install", "-at_install")
class TestCreditcheckRemoteCalls(CreditcheckHttpCase):
    """What costs a CreditCheck call or runs a job is not reachable over RPC without the rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, login="cc-portal", groups="base.group_portal")
        new_test_user(cls.env, login="cc-plain", groups="base.group_user")
        cls.sazka = cls.env["res.partner"].create(
            {"name": "Sazka a.s.", "is_company": True, "company_registry": SAZKA, "country_id": cls.cz.id}
        )

    def test_nobody_calls_the_run_or_the_client_over_rpc(self):
        self.sandbox_control.clear_requests()
        calls = [
            ("creditcheck.sync", "_run", ["cz", "complete"]),
            ("creditcheck.sync", "_run_single", ["cz", SAZKA]),
            ("creditcheck.service", "_iter_lines", ["cz", "GetCreditChecks", None]),
            ("creditcheck.sync", "action_refresh_now", []),
            ("creditcheck.sync", "action_fetch_defunct", []),
            ("res.partner", "action_creditcheck_check_now", [[self.sazka.id]]),
        ]
        for login in ("cc-portal", "cc-plain", "cc-salesman"):
            self.authenticate(login, login)
            for model, method, args in calls:
                if login == "cc-salesman" and method == "action_creditcheck_check_now":
                    continue  # a salesperson may check a subject: that is the button's purpose
                with self.assertRaises(JsonRpcException, msg=(login, method)), mute_logger("odoo.http"):
                    self.rpc(model, method, *args)
        self.assertFalse(self.sandbox_control.requests("/creditcheck/"))
        self.assertFalse(self.env["creditcheck.sync.log"].search([]))


class RealCursorsMixin:
    """Runs on cursors of their own, committed like a cron's; what they commit is removed afterwards.

    The settings the runs need are committed too (the test's own transaction is
    invisible to other cursors), under keys the test transaction never touches.
    """

    PARAMS = (
        SANDBOX_URL_PARAM,
        "creditcheck_semaphore.mode",
        "creditcheck_semaphore.login",
        "creditcheck_semaphore.password",
        "creditcheck_semaphore.compressed",
    )

    def setUp(self):
        super().setUp()
        self.addCleanup(self._remove_committed)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addClassCleanup(cls._remove_params)
        with cls.registry.cursor() as cr:
            params = api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
            params.set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
            params.set_param("creditcheck_semaphore.mode", "sandbox")
            params.set_param("creditcheck_semaphore.login", "api_sandbox")
            params.set_param("creditcheck_semaphore.password", "sandbox")

    @classmethod
    def _remove_params(cls):
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM ir_config_parameter WHERE key IN %s", [cls.PARAMS])
        cls.registry.clear_cache()

    @classmethod
    def _remove_committed(cls):
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM creditcheck_status")
            cr.execute("DELETE FROM creditcheck_sync_log")
            cr.execute(
                "DELETE FROM ir_cron_trigger WHERE cron_id IN (SELECT res_id FROM ir_model_data"
                " WHERE module = 'creditcheck_semaphore' AND model = 'ir.cron')"
            )
        cls.registry.clear_cache()

    def simulate(self, **values):
        url = f"{self.sandbox_url}/creditcheck/cz/_simulation"
        requests.delete(url, timeout=5)
        requests.post(url, json=values, timeout=5).raise_for_status()

    def committed(self, query, params=()):
        with self.registry.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def in_own_cursor(self, function):
        """``function(env)`` on a cursor of its own, committed afterwards (rolled back if it raises)."""
        with self.registry.cursor() as cr:
            # the registry is given, not looked up: the test runner holds the registries' lock
            cr.transaction = api.Transaction(self.registry)
            return function(api.Environment(cr, SUPERUSER_ID, {}))


@tagged("post_install", "-at_install")
class TestCreditcheckRunsAtOnce(RealCursorsMixin, SandboxCaseMixin, TransactionCase):
    def test_two_runs_at_once_one_applies_one_is_skipped(self):
        self.simulate(subjects=60)
        service = type(self.env["creditcheck.service"])
        original = service._iter_lines
        downloading, go_on = threading.Event(), threading.Event()

        def slow_download(model, *args, **kwargs):
            # the first run holds its locks while it downloads; the second one comes now
            downloading.set()
            go_on.wait(20)
            return original(model, *args, **kwargs)

        outcome = {}

        def first_run():
            try:
                log = self.in_own_cursor(lambda env: env["creditcheck.sync"]._run("cz", "complete").read()[0])
                outcome["first"] = log
            except Exception as exc:  # noqa: BLE001 - reported by the assertions below
                outcome["first"] = exc

        with patch.object(service, "_iter_lines", slow_download):
            thread = threading.Thread(target=first_run)
            thread.start()
            self.assertTrue(downloading.wait(20), outcome)
            second = self.in_own_cursor(lambda env: env["creditcheck.sync"]._run("cz", "complete").read()[0])
            go_on.set()
            thread.join(60)
        first = outcome["first"]
        self.assertIsInstance(first, dict, first)
        self.assertEqual((first["state"], second["state"]), ("done", "skipped"))
        self.assertGreater(first["lines_applied"], 0)
        self.assertIn("another CreditCheck run", second["note"])
        self.assertEqual(self.committed("SELECT count(*) FROM creditcheck_status")[0][0], first["lines_applied"])
        # the locks went with the first run's transaction: the next run runs, and changes nothing
        third = self.in_own_cursor(lambda env: env["creditcheck.sync"]._run("cz", "complete").read()[0])
        self.assertEqual((third["state"], third["partners_changed"]), ("done", 0))

    def test_a_run_that_dies_half_way_changes_nothing_and_the_next_one_does_it_all(self):
        self.simulate(subjects=60)
        partner = type(self.env["res.partner"])

        def dies(*args, **kwargs):
            raise MemoryError("the worker ran out of memory")

        with patch.object(partner, "_creditcheck_apply_status", dies), self.assertRaises(MemoryError):
            self.in_own_cursor(lambda env: env["creditcheck.sync"]._run("cz", "complete"))
        # the statuses written before it died were rolled back with its transaction ...
        self.assertEqual(self.committed("SELECT count(*) FROM creditcheck_status")[0][0], 0)
        # ... its failure is on record all the same
        logs = self.committed("SELECT state, error FROM creditcheck_sync_log")
        self.assertEqual(len(logs), 1)
        self.assertEqual(logs[0][0], "failed")
        self.assertIn("ran out of memory", logs[0][1])
        done = self.in_own_cursor(lambda env: env["creditcheck.sync"]._run("cz", "complete").read()[0])
        again = self.in_own_cursor(lambda env: env["creditcheck.sync"]._run("cz", "complete").read()[0])
        self.assertEqual(done["state"], "done")
        self.assertEqual((again["state"], again["lines_applied"]), ("done", done["lines_applied"]))
        self.assertEqual(self.committed("SELECT count(*) FROM creditcheck_status")[0][0], done["lines_applied"])

    def test_a_failed_check_stays_logged_when_the_request_is_rolled_back(self):
        self.simulate(subjects=60, ic_limit=0)  # CreditCheck refuses every check of one subject

        def check(env):
            partner = env["res.partner"].create(
                {"name": "Sazka", "company_registry": SAZKA, "country_id": env.ref("base.cz").id}
            )
            partner.action_creditcheck_check_now()

        with self.assertRaises(UserError), mute_logger(LOG_MODULE):
            self.in_own_cursor(check)  # the request's transaction is rolled back with the error
        logs = self.committed("SELECT kind, state, ico, error FROM creditcheck_sync_log")
        self.assertEqual(len(logs), 1, logs)
        self.assertEqual(logs[0][:3], ("single", "failed", SAZKA))
        self.assertIn("[daily_limit]", logs[0][3])
        # and it counts against the day's checks
        self.assertEqual(self.in_own_cursor(lambda env: env["creditcheck.sync"]._single_checks_left("cz")), 199)


@tagged("post_install", "-at_install")
class TestCreditcheckLanguages(CreditcheckCase):
    """Notes, activities and digests written by the crons are in the language of whoever reads them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("cs_CZ")
        cls.env["ir.module.module"]._load_module_terms(["creditcheck_semaphore"], ["cs_CZ"], overwrite=True)
        cls.salesman_cs = new_test_user(
            cls.env, login="cc-salesman-cs", groups="sales_team.group_sale_salesman", lang="cs_CZ"
        )
        cls.manager_cs = new_test_user(
            cls.env,
            login="cc-manager-cs",
            groups="creditcheck_semaphore.group_creditcheck_manager",
            lang="cs_CZ",
            email="spravce@example.cz",
        )
        cls.simulate(subjects=60)
        subjects = cls.subjects(limit=60)
        cls.partners = cls.make_partners(subjects)
        cls.sazka = cls.partners.filtered(lambda p: p.creditcheck_ico == SAZKA)
        cls.sazka.user_id = cls.salesman_cs
        cls.english = cls.partners.filtered(lambda p: p.creditcheck_ico != SAZKA)

    def test_notes_and_activities_in_the_salespersons_language(self):
        self.run_sync("complete")
        self.run_sync("changes")
        self.env["res.partner"]._cron_creditcheck_notify()
        bodies = self.sazka.message_ids.mapped("body")
        self.assertTrue(any("Stav CreditCheck se změnil z Šedá na Červená." in body for body in bodies), bodies)
        self.assertTrue(any("Nová událost CreditCheck" in body for body in bodies), bodies)
        self.assertEqual(set(self.sazka.activity_ids.mapped("summary")), {
            f"CreditCheck: nová událost {record}"
            for record in self.env["creditcheck.event"].search([("ico", "=", SAZKA)]).mapped("record_id")
        })  # fmt: skip
        risky = self.english.filtered(lambda p: p.creditcheck_state in ("orange", "red"))[0]
        self.assertTrue(any("CreditCheck status changed from Grey to" in b for b in risky.message_ids.mapped("body")))

    def test_the_digest_in_each_administrators_language(self):
        self.run_sync("complete")
        self.env["creditcheck.event"]._cron_digest()
        self.simulate(subjects=60, day=15)
        self.run_sync("complete")
        mails = self.env["creditcheck.event"]._cron_digest()
        czech = mails.filtered(lambda m: "spravce@example.cz" in m.email_to)
        english = mails.filtered(lambda m: "manager@example.com" in m.email_to)
        self.assertEqual(len(mails), 2)
        self.assertIn("Denní přehled CreditCheck", czech.subject)
        self.assertIn("CreditCheck daily digest", english.subject)
        self.assertNotIn("spravce@example.cz", english.email_to)
