"""The monthly cap between two users at once: two transactions on two connections, as two web requests are."""

import threading
from concurrent.futures import ThreadPoolExecutor

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from ..clients import KvkError
from ..models.kvk_service import SANDBOX_URL_PARAM

try:
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError("kvk_connector's tests need the project's sandbox on PYTHONPATH (make test does)") from exc

COMPANY_SETTINGS = ("kvk_mode", "kvk_api_key", "kvk_connection", "kvk_monthly_cap", "kvk_cache_hours")
LOGINS = ("kvk-race-anna", "kvk-race-bram")


@tagged("post_install", "-at_install")
class TestCapBetweenTwoUsers(SandboxCaseMixin, BaseCase):
    """The data is committed (each user works in a transaction of its own) and removed afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            cls.company_id = company.id
            cls.saved = {
                "param": env["ir.config_parameter"].get_param(SANDBOX_URL_PARAM),
                "company": company.sudo().read(COMPANY_SETTINGS)[0],
            }
            cls.addClassCleanup(cls._restore)
            env["ir.config_parameter"].set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
            # room for one more paid call of 0.019 this month, not for two
            spent = env["kvk.service"]._month_cost(company)
            company.write(
                {
                    "kvk_mode": "sandbox",
                    "kvk_api_key": "sandbox-race",
                    "kvk_connection": "private",
                    "kvk_monthly_cap": spent + 0.03,
                    "kvk_cache_hours": 0,
                }
            )
            group = env.ref("kvk_connector.group_kvk_user")
            cls.user_ids = [
                env["res.users"]
                .create(
                    {
                        "name": login,
                        "login": login,
                        "company_id": company.id,
                        "company_ids": [(6, 0, company.ids)],
                        "groups_id": [(6, 0, [env.ref("base.group_user").id, group.id])],
                    }
                )
                .id
                for login in LOGINS
            ]

    @classmethod
    def _restore(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("DELETE FROM kvk_query_log WHERE user_id IN %s", [tuple(getattr(cls, "user_ids", [0]) or [0])])
            env["res.users"].browse(getattr(cls, "user_ids", [])).exists().unlink()
            settings = {key: value for key, value in cls.saved["company"].items() if key != "id"}
            env["res.company"].browse(cls.company_id).write(settings)
            env["ir.config_parameter"].set_param(SANDBOX_URL_PARAM, cls.saved["param"] or False)

    def transaction(self, user_id):
        """A transaction of its own for ``user_id``, as a web request has.

        Built in the main thread: the test runner holds the registry's lock, which building
        an environment takes, so a thread may use an environment but not build one.
        """
        return api.Environment(self.registry.cursor(), user_id, {})

    @staticmethod
    def fetch(env, kvk_number, barrier=None):
        """A paid profile, committed: "paid", the error code, or "serialization" (rolled back)."""
        try:
            if barrier:
                barrier.wait(timeout=30)
            try:
                env["kvk.service"]._fetch_profile(kvk_number)
                outcome = "paid"
            except KvkError as error:
                outcome = error.code
            env.cr.commit()
            return outcome
        except SerializationFailure:
            env.cr.rollback()
            return "serialization"
        finally:
            env.cr.close()

    def test_two_users_at_once_do_not_pass_the_cap_together(self):
        control = self.sandbox_control
        control.clear_requests()
        # each call takes a while at the register, so that the two transactions overlap
        control.arm_fault("/kvk/api/v1/basisprofielen", latency_ms=1500, count=2)
        barrier = threading.Barrier(2)
        with mute_logger("odoo.sql_db", "odoo.addons.kvk_connector.models.kvk_service"):
            with ThreadPoolExecutor(max_workers=2) as pool:
                envs = [self.transaction(user_id) for user_id in self.user_ids]
                runs = [
                    pool.submit(self.fetch, env, kvk, barrier)
                    for env, kvk in zip(envs, ("68750110", "68727720"), strict=True)
                ]
                outcomes = sorted(run.result(timeout=120) for run in runs)
            # the second one either saw the first's spending, or failed on the first's update; as
            # Odoo retries a request after a serialisation failure, so does this test
            retried = None
            if "serialization" in outcomes:
                retried = self.fetch(self.transaction(self.user_ids[1]), "68727720")
        control.clear_faults()
        self.assertIn(outcomes, (["paid", "serialization"], ["cap", "paid"]))
        if retried is not None:
            self.assertEqual(retried, "cap")
        self.assertEqual(len(control.requests("/kvk/api/v1/basisprofielen")), 1, "the register was paid twice")
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT coalesce(sum(cost), 0), count(*) FILTER (WHERE error_code = 'cap') FROM kvk_query_log "
                "WHERE user_id IN %s",
                [tuple(self.user_ids)],
            )
            spent, capped = cr.fetchone()
        self.assertAlmostEqual(spent, 0.019)
        self.assertEqual(capped, 1)
