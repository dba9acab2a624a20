from odoo import api, models
from odoo.exceptions import UserError

SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
SANDBOX_URL_DEFAULT = "http://127.0.0.1:8070"


class SocialDebtService(models.AbstractModel):
    """The one place that knows the KSZ/BCSS endpoint, mode and certificate."""

    _name = "social.debt.service"
    _description = "RSZ/ONSS Social Debt Service"

    @api.model
    def _get_endpoint(self, company=None):
        company = company or self.env.company
        if company.social_debt_mode == "sandbox":
            sandbox = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_URL_PARAM, SANDBOX_URL_DEFAULT)
            return f"{sandbox.rstrip('/')}/ksz/EmployerAccountBalance"
        if not company.social_debt_endpoint:
            raise UserError(
                self.env._(
                    "%s has no KSZ endpoint: enter the address the KSZ/BCSS gave you in Settings > Social Debt.",
                    company.name,
                )
            )
        return company.social_debt_endpoint
