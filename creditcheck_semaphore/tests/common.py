from odoo.tests import TransactionCase

from ..models.creditcheck_service import SANDBOX_URL_PARAM

try:
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError(
        "creditcheck_semaphore's tests talk to the project's sandbox: put the repository root on "
        "PYTHONPATH (make test does)"
    ) from exc


class CreditcheckCase(SandboxCaseMixin, TransactionCase):
    """CreditCheck pointed at a sandbox of the class's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        params.set_param("creditcheck_semaphore.mode", "sandbox")
        params.set_param("creditcheck_semaphore.login", "api_sandbox")
        params.set_param("creditcheck_semaphore.password", "sandbox")
