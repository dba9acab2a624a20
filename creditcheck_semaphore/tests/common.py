import requests

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user

from ..models.creditcheck_service import SANDBOX_URL_PARAM

try:
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError(
        "creditcheck_semaphore's tests talk to the project's sandbox: put the repository root on "
        "PYTHONPATH (make test does)"
    ) from exc

SAZKA = "47116307"  # the sandbox's CZ subject 0: red on day 0, a new red record on day 2
LOG_MODULE = "odoo.addons.creditcheck_semaphore.models.creditcheck_sync"


class CreditcheckMixin:
    """CreditCheck pointed at a sandbox of the class's own, with helpers to steer it.

    ``simulation`` is the sandbox's state at the start of every test.  The
    registry is in test mode, so that what the addon writes "in a transaction of
    its own" (failure logs) stays inside the test's transaction and is rolled back
    with it; the classes that check that such a write survives a rollback use
    real cursors instead (``creditcheck_test_mode = False``).
    """

    simulation = {"subjects": 60}
    creditcheck_test_mode = True

    def setUp(self):
        super().setUp()
        self.simulate(**self.simulation)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.creditcheck_test_mode and not cls.registry.in_test_mode():
            cls.registry.enter_test_mode(cls.cr)
            cls.addClassCleanup(cls.registry.leave_test_mode)
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        params.set_param("creditcheck_semaphore.mode", "sandbox")
        params.set_param("creditcheck_semaphore.login", "api_sandbox")
        params.set_param("creditcheck_semaphore.password", "sandbox")
        params.set_param("creditcheck_semaphore.cid", "TEST-CID")
        cls.cz = cls.env.ref("base.cz")
        cls.sk = cls.env.ref("base.sk")
        cls.company = cls.env.company
        cls.salesman = new_test_user(
            cls.env, login="cc-salesman", groups="sales_team.group_sale_salesman", email="sales@example.com"
        )
        cls.manager = new_test_user(
            cls.env,
            login="cc-manager",
            groups="sales_team.group_sale_manager,creditcheck_semaphore.group_creditcheck_manager,account.group_account_invoice",
            email="manager@example.com",
        )

    @classmethod
    def make_second_company(cls, **settings):
        """Company B, with its own salesperson and CreditCheck administrator, and its own settings."""
        values = {"name": "Company B s.r.o.", "email": "b@example.com", **settings}
        cls.company_b = cls.env["res.company"].create(values)
        cls.salesman_b = new_test_user(
            cls.env,
            login="cc-salesman-b",
            groups="sales_team.group_sale_salesman",
            email="sales-b@example.com",
            company_id=cls.company_b.id,
            company_ids=[Command.set([cls.company_b.id])],
        )
        cls.manager_b = new_test_user(
            cls.env,
            login="cc-manager-b",
            groups="sales_team.group_sale_manager,creditcheck_semaphore.group_creditcheck_manager",
            email="manager-b@example.com",
            company_id=cls.company_b.id,
            company_ids=[Command.set([cls.company_b.id])],
        )
        return cls.company_b

    @classmethod
    def simulate(cls, country="cz", **values):
        url = f"{cls.sandbox_url}/creditcheck/{country}/_simulation"
        requests.delete(url, timeout=5)
        values = {**cls.simulation, **values}
        answer = requests.post(url, json=values, timeout=5)
        answer.raise_for_status()
        return answer.json()

    @classmethod
    def subjects(cls, country="cz", offset=0, limit=60):
        url = f"{cls.sandbox_url}/creditcheck/{country}/_simulation/subjects?offset={offset}&limit={limit}"
        return requests.get(url, timeout=5).json()["subjects"]

    @classmethod
    def make_partners(cls, subjects, country=None, **extra):
        country = country or cls.cz
        return cls.env["res.partner"].create(
            [
                {
                    "name": f"Subject {subject['index']}",
                    "is_company": True,
                    "company_registry": subject["ico"].lstrip("0"),
                    "country_id": country.id,
                    "user_id": cls.salesman.id,
                    **extra,
                }
                for subject in subjects
            ]
        )

    @classmethod
    def run_sync(cls, kind, country="cz", **kwargs):
        return cls.env["creditcheck.sync"]._run(country, kind, **kwargs)

    def snapshot(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT country, ico, status, record_id, defunct FROM creditcheck_status ORDER BY 1, 2")
        statuses = self.env.cr.fetchall()
        self.env.cr.execute(
            "SELECT id, creditcheck_state, creditcheck_record_id, creditcheck_defunct FROM res_partner"
            " WHERE creditcheck_ico IS NOT NULL ORDER BY id"
        )
        return statuses, self.env.cr.fetchall()


class CreditcheckCase(CreditcheckMixin, SandboxCaseMixin, TransactionCase):
    pass


class CreditcheckHttpCase(CreditcheckMixin, SandboxCaseMixin, HttpCase):
    def rpc(self, model, method, *args, route="call_kw", **kwargs):
        """``model.method(*args, **kwargs)`` over JSON-RPC as the authenticated user (``self.authenticate``)."""
        return self.make_jsonrpc_request(
            f"/web/dataset/{route}", {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        )
