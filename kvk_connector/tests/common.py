from odoo.tests import HttpCase, TransactionCase

from ..models.kvk_service import SANDBOX_URL_PARAM

try:
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError(
        "kvk_connector's tests talk to the project's sandbox: put the repository root on " "PYTHONPATH (make test does)"
    ) from exc


class KvkCaseMixin(SandboxCaseMixin):
    """A company of its own whose KvK connection points at a sandbox of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        cls.company = cls.env["res.company"].create(
            {
                "name": "Registerwerk B.V.",
                "country_id": cls.env.ref("base.nl").id,
                "kvk_mode": "sandbox",
                "kvk_api_key": "sandbox-key",
            }
        )
        # English unless a test says otherwise, whatever languages the database has loaded
        cls.company.partner_id.lang = "en_US"
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids, lang="en_US"))
        cls.env.user.company_ids |= cls.company
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Sanne Verkoop",
                "login": "kvk-salesperson",
                "email": "sanne@example.com",
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
                "lang": "en_US",
                # a salesperson: KvK User, and Contact Creation to write what the register gives
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("base.group_partner_manager").id,
                            cls.env.ref("kvk_connector.group_kvk_user").id,
                        ],
                    )
                ],
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox_control.clear_faults()
        self.sandbox_control.clear_requests()

    def company_logs(self, domain, **kwargs):
        """The query log of this class's company (a database may hold others)."""
        return self.env["kvk.query.log"].search([("company_id", "=", self.company.id), *domain], **kwargs)

    def kvk_calls(self, prefix="/kvk/api/"):
        """The requests the sandbox answered under ``prefix`` since the test began."""
        return self.sandbox_control.requests(prefix)


class KvkCase(KvkCaseMixin, TransactionCase):
    pass


class KvkHttpCase(KvkCaseMixin, HttpCase):
    pass
