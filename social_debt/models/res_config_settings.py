from odoo import api, fields, models
from odoo.exceptions import AccessError

from .social_debt_check import RETENTION_PARAM, notification

NOTIFICATION_TYPES = {
    "success": "success",
    "refused": "danger",
    "certificate": "danger",
    "unreachable": "danger",
    "settings": "warning",
    "error": "warning",
}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    social_debt_mode = fields.Selection(related="company_id.social_debt_mode", readonly=False)
    social_debt_backend = fields.Selection(related="company_id.social_debt_backend", readonly=False)
    social_debt_endpoint = fields.Char(related="company_id.social_debt_endpoint", readonly=False)
    social_debt_customer_number = fields.Char(related="company_id.social_debt_customer_number", readonly=False)
    social_debt_enterprise_number = fields.Char(related="company_id.social_debt_enterprise_number")
    social_debt_fiscal_endpoint = fields.Char(related="company_id.social_debt_fiscal_endpoint", readonly=False)
    social_debt_billretainment_endpoint = fields.Char(
        related="company_id.social_debt_billretainment_endpoint", readonly=False
    )
    social_debt_check_tax = fields.Boolean(related="company_id.social_debt_check_tax", readonly=False)
    social_debt_certificate = fields.Binary(
        related="company_id.social_debt_certificate", readonly=False, groups="base.group_system"
    )
    social_debt_certificate_password = fields.Char(
        related="company_id.social_debt_certificate_password", readonly=False, groups="base.group_system"
    )
    social_debt_legal_context = fields.Char(related="company_id.social_debt_legal_context", readonly=False)
    social_debt_legal_context_procurement = fields.Char(
        related="company_id.social_debt_legal_context_procurement", readonly=False
    )
    social_debt_timeout = fields.Integer(related="company_id.social_debt_timeout", readonly=False)
    social_debt_validity_days = fields.Integer(related="company_id.social_debt_validity_days", readonly=False)
    social_debt_monitoring = fields.Boolean(related="company_id.social_debt_monitoring", readonly=False)
    social_debt_responsible_id = fields.Many2one(related="company_id.social_debt_responsible_id", readonly=False)
    social_debt_retention_days = fields.Integer(
        string="Keep Checks (days)",
        config_parameter=RETENTION_PARAM,
        default=3653,
        help="Checks and their proofs are kept this many days (ten years by default); a daily job removes older ones.",
    )
    # what the chosen environment uses, and the jobs' last runs
    social_debt_endpoint_url = fields.Char(
        string="Social Debt Calls Go To",
        compute="_compute_social_debt_connection_info",
        help="Where this environment's social-debt questions go.",
    )
    social_debt_fiscal_endpoint_url = fields.Char(
        string="Tax Debt Calls Go To", compute="_compute_social_debt_connection_info"
    )
    social_debt_certificate_note = fields.Char(
        string="Certificate Used", compute="_compute_social_debt_connection_info"
    )
    social_debt_monitor_last_run = fields.Datetime(string="Last Daily Re-check", compute="_compute_social_debt_runs")
    social_debt_monitor_last_summary = fields.Char(
        string="Last Daily Re-check Summary", compute="_compute_social_debt_runs"
    )
    social_debt_send_last_run = fields.Datetime(string="Last Grouped Check Sent", compute="_compute_social_debt_runs")
    social_debt_send_last_summary = fields.Char(
        string="Last Grouped Check Sent Summary", compute="_compute_social_debt_runs"
    )
    social_debt_collect_last_run = fields.Datetime(string="Last Answers Collected", compute="_compute_social_debt_runs")
    social_debt_collect_last_summary = fields.Char(
        string="Last Answers Collected Summary", compute="_compute_social_debt_runs"
    )
    social_debt_housekeeping_last_run = fields.Datetime(
        string="Last Expiry and Clean-up", compute="_compute_social_debt_runs"
    )
    social_debt_housekeeping_last_summary = fields.Char(
        string="Last Expiry and Clean-up Summary", compute="_compute_social_debt_runs"
    )

    @api.depends(
        "social_debt_mode",
        "social_debt_backend",
        "social_debt_check_tax",
        "social_debt_endpoint",
        "social_debt_fiscal_endpoint",
        "social_debt_billretainment_endpoint",
        "social_debt_certificate",
        "company_id",
    )
    def _compute_social_debt_connection_info(self):
        service = self.env["social.debt.service"]
        not_set = self.env._("not entered yet")
        for settings in self:
            mode = settings.social_debt_mode or "production"
            if settings.social_debt_backend == "billretainment":
                social = service._endpoint_for_mode(mode, "rsz", settings.social_debt_billretainment_endpoint)
            else:
                social = service._endpoint_for_mode(mode, "eab", settings.social_debt_endpoint)
            fiscal = service._endpoint_for_mode(mode, "efd", settings.social_debt_fiscal_endpoint)
            settings.social_debt_endpoint_url = social or not_set
            settings.social_debt_fiscal_endpoint_url = (fiscal or not_set) if settings.social_debt_check_tax else False
            has_certificate = bool(settings.sudo().social_debt_certificate)
            settings.social_debt_certificate_note = service._certificate_note(mode, has_certificate)

    @api.depends("company_id")
    @api.depends_context("lang")
    def _compute_social_debt_runs(self):
        Runs = self.env["social.debt.run"]
        never = self.env._("not run yet")
        for settings in self:
            for job in ("monitor", "send", "collect", "housekeeping"):
                run = Runs._last(job, None if job == "housekeeping" else settings.company_id)
                settings[f"social_debt_{job}_last_run"] = run.create_date
                settings[f"social_debt_{job}_last_summary"] = run.summary or never

    def _social_debt_check_admin(self):
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators may test the social debt connection."))

    def action_social_debt_test_connection(self):
        """Make the cheapest real call with the saved settings of the company and say what happened."""
        self.ensure_one()
        self._social_debt_check_admin()
        company = self.company_id
        outcome, message = self.env["social.debt.service"].sudo().with_company(company)._test_connection(company)
        return notification(
            message,
            NOTIFICATION_TYPES.get(outcome, "warning"),
            sticky=outcome != "success",
            title=self.env._("Social debt connection test"),
        )

    def action_social_debt_job_runs(self):
        self.ensure_one()
        self._social_debt_check_admin()
        return self.env["ir.actions.act_window"]._for_xml_id("social_debt.social_debt_run_action")
