from odoo.tests import TransactionCase

from ..models.client_online_service import SANDBOX_URL_PARAM

try:
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError(
        "client_online_connector's tests talk to the project's sandbox: put the repository root on "
        "PYTHONPATH (make test does)"
    ) from exc


class ClientOnlineCase(SandboxCaseMixin, TransactionCase):
    """An accounting office whose portal connection points at a sandbox of the class's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        cls.company = cls.env["res.company"].create(
            {
                "name": "Administratiekantoor Delta",
                "country_id": cls.env.ref("base.nl").id,
                "client_online_mode": "sandbox",
            }
        )
