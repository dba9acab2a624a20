from odoo.tests import TransactionCase

from ..models.social_debt_service import SANDBOX_URL_PARAM

try:
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError(
        "social_debt's tests talk to the project's sandbox: put the repository root on PYTHONPATH (make test does)"
    ) from exc


class SocialDebtCase(SandboxCaseMixin, TransactionCase):
    """A Belgian company whose KSZ connection points at a sandbox of the class's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        cls.company = cls.env["res.company"].create(
            {"name": "Bouwwerken Gent NV", "country_id": cls.env.ref("base.be").id, "social_debt_mode": "sandbox"}
        )
