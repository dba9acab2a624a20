"""The change-signal job as workers run it: committed transactions on connections of their own.

Two runs at once, a run that crashes in the middle of a batch, two companies in one run.  The
data is committed (a worker commits between registrations) and removed afterwards.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from unittest.mock import patch
from urllib.request import Request, urlopen

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from ..models.kvk_review import KvkReview
from ..models.kvk_service import SANDBOX_URL_PARAM

try:
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError("kvk_connector's tests need the project's sandbox on PYTHONPATH (make test does)") from exc

REGISTRATIONS = {"68750110": "000037178598", "68727720": "000037143557", "69599084": "000038509504"}
LOGGERS = ("odoo.addons.kvk_connector.models.kvk_service", "odoo.addons.kvk_connector.models.kvk_signal_job")
TABLES = ("kvk_review", "kvk_signal", "kvk_register_entry", "kvk_enrolment", "kvk_subscription", "kvk_query_log")


@tagged("post_install", "-at_install")
class TestSignalJobRuns(SandboxCaseMixin, BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.saved_url = env["ir.config_parameter"].get_param(SANDBOX_URL_PARAM)
            env["ir.config_parameter"].set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
            Company = env["res.company"].with_context(active_test=False)
            companies = Company.browse()
            for n in (1, 2):  # a database that ran this before keeps the companies (archived)
                values = {"name": f"Signaalwerk {n} B.V.", "kvk_mode": "sandbox", "kvk_api_key": f"sandbox-runs-{n}",
                          "kvk_use_mutaties": True, "kvk_cache_hours": 0, "active": True}  # fmt: skip
                company = Company.search([("name", "=", values["name"])], limit=1)
                company.write(values) if company else None
                companies |= company or Company.create(values)
            companies.partner_id.write({"lang": "en_US"})
            cls.company_ids = companies.ids
            cls.partner_ids = {}
            for company in companies:
                for kvk, branch in REGISTRATIONS.items():
                    partner = env["res.partner"].create(
                        {"name": f"Ours {kvk}", "is_company": True, "company_registry": kvk,
                         "kvk_branch_number": branch, "kvk_registration_kind": "hoofdvestiging",
                         "company_id": company.id}
                    )  # fmt: skip
                    partner.with_company(company)._kvk_enrol(source="bulk")
                    cls.partner_ids[(company.id, kvk)] = partner.id
        cls.addClassCleanup(cls._remove)

    @classmethod
    def _remove(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            ids = tuple(cls.company_ids)
            for table in TABLES:
                cr.execute(f"DELETE FROM {table} WHERE company_id IN %s", [ids])  # noqa: S608 - fixed names
            env["res.partner"].browse(list(cls.partner_ids.values())).exists().unlink()
            env["res.company"].browse(cls.company_ids).write({"kvk_use_mutaties": False, "active": False})
            env["ir.config_parameter"].set_param(SANDBOX_URL_PARAM, cls.saved_url or False)

    def setUp(self):
        super().setUp()
        self.sandbox_control.clear_faults()
        self._post("/kvk/_mutaties", method="DELETE")
        with self.registry.cursor() as cr:
            for table in ("kvk_review", "kvk_signal", "kvk_register_entry", "kvk_subscription", "kvk_query_log"):
                cr.execute(f"DELETE FROM {table} WHERE company_id IN %s", [tuple(self.company_ids)])  # noqa: S608
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(self.company_ids).write({"kvk_monthly_cap": 0})
        self.sandbox_control.clear_requests()

    def _post(self, path, payload=None, method="POST"):
        data = json.dumps(payload).encode() if payload is not None else None
        request = Request(
            self.sandbox_url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urlopen(request, timeout=30) as answer:  # noqa: S310 - the sandbox on loopback
            return json.loads(answer.read())

    def emit_name_changes(self, numbers=tuple(REGISTRATIONS)):
        at = (datetime.now(timezone.utc) - timedelta(seconds=2)).isoformat()
        for kvk in numbers:
            self._post("/kvk/_mutaties/signal", {"type": "changed", "kvk_number": kvk, "blocks": ["maOnderneming"],
                                                 "change": "name", "at": at})  # fmt: skip

    def worker(self):
        """A worker's environment: a connection of its own (built here: a thread may not build one)."""
        return api.Environment(self.registry.cursor(), SUPERUSER_ID, {})

    @staticmethod
    def run_job(env):
        """One cron run in a worker: committed when it ends, rolled back when it crashes."""
        try:
            env["kvk.signal.job"].with_context(kvk_poll_now=True)._cron_kvk_signals()
            env.cr.commit()
            return "done"
        except Exception as error:  # noqa: BLE001 - a crashed worker, as the cron runner sees it
            env.cr.rollback()
            return repr(error)
        finally:
            env.cr.close()

    def in_thread(self, *envs):
        with mute_logger(*LOGGERS), ThreadPoolExecutor(max_workers=len(envs)) as pool:
            return [future.result(timeout=300) for future in [pool.submit(self.run_job, env) for env in envs]]

    def state(self):
        """Per company: the items by contact, the signals' states, the paid calls in the log."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT company_id, partner_id, count(*) FROM kvk_review WHERE company_id IN %s GROUP BY 1, 2",
                [tuple(self.company_ids)],
            )
            items = {(company, partner): count for company, partner, count in cr.fetchall()}
            cr.execute(
                "SELECT company_id, state, count(*) FROM kvk_signal WHERE company_id IN %s GROUP BY 1, 2",
                [tuple(self.company_ids)],
            )
            signals = {(company, state): count for company, state, count in cr.fetchall()}
            cr.execute(
                "SELECT company_id, count(*) FROM kvk_query_log WHERE company_id IN %s AND product = 'basisprofiel' "
                "AND state = 'done' GROUP BY 1",
                [tuple(self.company_ids)],
            )
            paid = dict(cr.fetchall())
        return items, signals, paid

    def basisprofiel_requests(self):
        return [r for r in self.sandbox_control.requests("/kvk/api/v1/basisprofielen/") if r["status"] == 200]

    def enable_only(self, *company_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for company in env["res.company"].browse(self.company_ids):
                company.kvk_use_mutaties = company.id in company_ids

    # -- tests ----------------------------------------------------------------------------------------

    def test_two_runs_at_once_pay_each_change_once(self):
        first = self.company_ids[0]
        self.enable_only(first)
        self.emit_name_changes()
        # each paid call takes a while at the register, so that the two runs overlap
        self.sandbox_control.arm_fault("/kvk/api/v1/basisprofielen", latency_ms=400, count=10)
        outcomes = self.in_thread(self.worker(), self.worker())
        self.assertEqual(outcomes, ["done", "done"])
        self.in_thread(self.worker())  # whatever the second left for later
        items, signals, paid = self.state()
        for kvk in REGISTRATIONS:
            self.assertEqual(items.get((first, self.partner_ids[(first, kvk)])), 1, kvk)
        self.assertEqual(signals, {(first, "done"): 3})
        self.assertEqual(paid, {first: 3})
        self.assertEqual(len(self.basisprofiel_requests()), 3, "the register was paid twice for a change")

    def test_a_crash_in_the_middle_of_a_batch_is_resumed_without_a_second_call_or_item(self):
        first = self.company_ids[0]
        self.enable_only(first)
        self.emit_name_changes()
        original = KvkReview._kvk_propose
        calls = []

        def crash_on_the_second(model, *args, **kwargs):
            calls.append(args[0].id)
            if len(calls) == 2:
                raise RuntimeError("the worker died")
            return original(model, *args, **kwargs)

        with patch.object(KvkReview, "_kvk_propose", crash_on_the_second):
            (outcome,) = self.in_thread(self.worker())
        self.assertIn("the worker died", outcome)
        items, signals, _paid = self.state()
        self.assertEqual(sum(items.values()), 1, "the first registration was done and committed")
        self.assertEqual(signals.get((first, "fetched")), 1, "the second one's answer was kept")
        self.assertEqual(len(self.basisprofiel_requests()), 2)
        (outcome,) = self.in_thread(self.worker())
        self.assertEqual(outcome, "done")
        items, signals, paid = self.state()
        for kvk in REGISTRATIONS:
            self.assertEqual(items.get((first, self.partner_ids[(first, kvk)])), 1, kvk)
        self.assertEqual(signals, {(first, "done"): 3})
        self.assertEqual(len(self.basisprofiel_requests()), 3, "the crashed registration was not paid again")
        self.assertEqual(paid, {first: 3})

    def test_two_companies_in_one_run_each_with_its_own_subscription_log_and_cap(self):
        first, second = self.company_ids
        self.enable_only(first, second)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(second).kvk_monthly_cap = 0.03  # room for one paid call
        self.emit_name_changes()
        (outcome,) = self.in_thread(self.worker())
        self.assertEqual(outcome, "done")
        items, signals, paid = self.state()
        self.assertEqual(paid, {first: 3, second: 1})
        self.assertEqual(signals[(first, "done")], 3)
        self.assertEqual(signals[(second, "done")], 1)
        self.assertEqual(signals[(second, "held")], 2)
        self.assertEqual(sum(count for (company, _p), count in items.items() if company == first), 3)
        self.assertEqual(sum(count for (company, _p), count in items.items() if company == second), 1)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT company_id, kvk_id FROM kvk_subscription WHERE company_id IN %s", [tuple(self.company_ids)]
            )
            subscriptions = dict(cr.fetchall())
        self.assertEqual(
            len(set(subscriptions.values())), 2, f"each company reads its own subscription: {subscriptions}"
        )
