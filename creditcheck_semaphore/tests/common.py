import requests

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


class CreditcheckMixin:
    """CreditCheck pointed at a sandbox of the class's own, with helpers to steer it.

    ``simulation`` is the sandbox's state at the start of every test.
    """

    simulation = {"subjects": 60}

    def setUp(self):
        super().setUp()
        self.simulate(**self.simulation)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        params.set_param("creditcheck_semaphore.mode", "sandbox")
        params.set_param("creditcheck_semaphore.login", "api_sandbox")
        params.set_param("creditcheck_semaphore.password", "sandbox")
        params.set_param("creditcheck_semaphore.cid", "TEST-CID")
        cls.cz = cls.env.ref("base.cz")
        cls.sk = cls.env.ref("base.sk")
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

    def run_sync(self, kind, country="cz"):
        return self.env["creditcheck.status"]._run(country, kind)

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
    pass
