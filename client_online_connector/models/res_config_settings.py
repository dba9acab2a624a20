from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..clients import check_folder
from .client_online_service import WSDL_PARAM

SEND_WIZARD = "client.online.send.wizard"
NOTIFICATION_TYPES = {"success": "success", "refused": "danger", "certificate": "danger", "unreachable": "danger"}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    client_online_mode = fields.Selection(related="company_id.client_online_mode", readonly=False)
    client_online_endpoint = fields.Char(related="company_id.client_online_endpoint", readonly=False)
    client_online_username = fields.Char(
        related="company_id.client_online_username", readonly=False, groups="base.group_system"
    )
    client_online_password = fields.Char(
        related="company_id.client_online_password", readonly=False, groups="base.group_system"
    )
    client_online_interval = fields.Integer(related="company_id.client_online_interval", readonly=False)
    client_online_notify = fields.Boolean(related="company_id.client_online_notify", readonly=False)
    client_online_responsible_id = fields.Many2one(related="company_id.client_online_responsible_id", readonly=False)
    client_online_max_attempts = fields.Integer(related="company_id.client_online_max_attempts", readonly=False)
    client_online_max_file_mb = fields.Integer(related="company_id.client_online_max_file_mb", readonly=False)
    client_online_folder_inbox = fields.Char(
        related="company_id.client_online_folder_inbox", readonly=False, groups="base.group_system"
    )
    client_online_folder_approved = fields.Char(
        related="company_id.client_online_folder_approved", readonly=False, groups="base.group_system"
    )
    client_online_folder_rejected = fields.Char(
        related="company_id.client_online_folder_rejected", readonly=False, groups="base.group_system"
    )
    client_online_folder_not_found = fields.Char(
        related="company_id.client_online_folder_not_found", readonly=False, groups="base.group_system"
    )
    client_online_folder_failed = fields.Char(
        related="company_id.client_online_folder_failed", readonly=False, groups="base.group_system"
    )
    client_online_pick_xbrl = fields.Boolean(related="company_id.client_online_pick_xbrl", readonly=False)
    client_online_pick_pdf = fields.Boolean(related="company_id.client_online_pick_pdf", readonly=False)
    client_online_settle_seconds = fields.Integer(related="company_id.client_online_settle_seconds", readonly=False)
    client_online_pdf_document_type = fields.Selection(
        related="company_id.client_online_pdf_document_type", readonly=False
    )
    client_online_pdf_date_from = fields.Date(related="company_id.client_online_pdf_date_from", readonly=False)
    client_online_pdf_date_to = fields.Date(related="company_id.client_online_pdf_date_to", readonly=False)
    client_online_match_kvk = fields.Boolean(related="company_id.client_online_match_kvk", readonly=False)
    client_online_match_hidden_id = fields.Boolean(related="company_id.client_online_match_hidden_id", readonly=False)
    client_online_wsdl = fields.Char(
        string="Portal WSDL",
        config_parameter=WSDL_PARAM,
        help="Path or URL of the portal's WSDL. Empty: the one rebuilt from public facts that comes with the addon "
        "(schemas/clientonline_accordering.wsdl). The vendor's own WSDL replaces it here, for every company.",
    )
    client_online_last_run = fields.Datetime(related="company_id.client_online_last_run")
    client_online_status = fields.Text(related="company_id.client_online_status")
    client_online_endpoint_url = fields.Char(
        string="ClientOnline Calls Go To",
        compute="_compute_client_online_connection_info",
        help="Where the chosen environment's calls go.",
    )
    client_online_account_note = fields.Char(
        string="ClientOnline Account Used", compute="_compute_client_online_connection_info"
    )
    client_online_job_last_run = fields.Datetime(
        string="Last Successful Run", compute="_compute_client_online_job_last_run"
    )
    client_online_job_last_summary = fields.Char(
        string="Last Run Summary", compute="_compute_client_online_job_last_run"
    )
    client_online_bound_model_ids = fields.Many2many(
        "ir.model",
        string="Send for approval from",
        compute="_compute_client_online_bound_model_ids",
        inverse="_inverse_client_online_bound_model_ids",
        help="Other kinds of records (invoices, for example) whose Action menu offers Send for approval: their "
        "attachments and PDF reports, for the client of the record. Contacts offer it with their own button.",
    )

    # -- what the settings show -------------------------------------------------------------------------

    @api.depends("client_online_mode", "client_online_endpoint", "client_online_username", "client_online_password",
                 "company_id")  # fmt: skip
    def _compute_client_online_connection_info(self):
        service = self.env["client.online.service"]
        for settings in self:
            mode = settings.client_online_mode or "production"
            endpoint = settings.client_online_endpoint or False
            settings.client_online_endpoint_url = (
                service._endpoint_for_mode("sandbox")
                if mode == "sandbox"
                else endpoint or service._endpoint_for_mode("production")
            )
            if self.env.user.has_group("base.group_system"):
                settings.client_online_account_note = service._account_note(
                    settings.company_id,
                    mode=mode,
                    username=settings.sudo().client_online_username or "",
                    password=settings.sudo().client_online_password or "",
                )
            else:
                settings.client_online_account_note = False

    @api.depends("company_id")
    def _compute_client_online_job_last_run(self):
        Runs = self.env["client.online.job.run"]
        for settings in self:
            run = Runs._last(settings.company_id)
            settings.client_online_job_last_run = run.ended_at
            settings.client_online_job_last_summary = run.summary or self.env._("not run yet")

    def action_client_online_job_runs(self):
        self.ensure_one()
        self._client_online_check_admin()
        return self.env["ir.actions.act_window"]._for_xml_id("client_online_connector.client_online_job_run_action")

    # -- checks -------------------------------------------------------------------------------------------

    def _check_client_online_folders(self):
        """Two companies never share a folder: each scan would take the other's files."""
        for settings in self:
            company = settings.company_id.sudo()
            mine = {company[f"client_online_folder_{k}"] for k in ("inbox", "approved", "rejected", "not_found",
                                                                    "failed")} - {False, ""}  # fmt: skip
            if not mine:
                continue
            others = self.env["res.company"].sudo().search([("id", "!=", company.id)])
            for other in others:
                if other.client_online_folder_inbox and other.client_online_folder_inbox in mine:
                    raise UserError(
                        self.env._(
                            "The folder %(folder)s is already the folder to portal of %(company)s.",
                            folder=other.client_online_folder_inbox,
                            company=other.name,
                        )
                    )

    def set_values(self):
        result = super().set_values()
        self._check_client_online_folders()
        self.env["client.online.document"]._client_online_adjust_cron()
        return result

    def _client_online_check_admin(self):
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators may test the ClientOnline connection."))

    def action_client_online_test_connection(self):
        """Make the cheapest real call (log in) with the saved settings of the company and say what happened."""
        self.ensure_one()
        self._client_online_check_admin()
        company = self.company_id
        outcome, message = self.env["client.online.service"].with_company(company)._test_connection(company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("ClientOnline connection test"),
                "message": message,
                "type": NOTIFICATION_TYPES.get(outcome, "warning"),
                "sticky": outcome != "success",
            },
        }

    def action_client_online_check_folders(self):
        """Check that every folder exists and can be written, and keep the result in the status."""
        self._client_online_check_admin()
        company = self.company_id.sudo()
        problems = []
        labels = {
            "inbox": self.env._("to portal"),
            "approved": self.env._("approved"),
            "rejected": self.env._("rejected"),
            "not_found": self.env._("client not found"),
            "failed": self.env._("failed"),
        }
        for key, label in labels.items():
            path = company[f"client_online_folder_{key}"]
            if not path:
                continue
            problem = check_folder(path, write=True)
            if problem is not None:
                message = self.env["client.online.service"]._folder_message(problem)
                problems.append(self.env._("Folder %(label)s: %(problem)s", label=label, problem=message))
        company.client_online_status = "\n".join(problems) or self.env._("Every folder can be read and written.")
        if problems:
            return self._client_online_notification("\n".join(problems), "danger")
        return self._client_online_notification(self.env._("Every folder can be read and written."), "success")

    def _client_online_notification(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": kind == "danger"},
        }

    # -- where "Send for approval" is offered ------------------------------------------------------------------

    def _client_online_bindings(self):
        partner = self.env.ref("client_online_connector.client_online_send_wizard_action", raise_if_not_found=False)
        return (
            self.env["ir.actions.act_window"]
            .sudo()
            .search([("res_model", "=", SEND_WIZARD), ("binding_model_id", "!=", False)])
            .filtered(lambda action: action != partner)
        )

    @api.depends("company_id")
    def _compute_client_online_bound_model_ids(self):
        models_bound = self._client_online_bindings().binding_model_id
        for settings in self:
            settings.client_online_bound_model_ids = models_bound

    def _inverse_client_online_bound_model_ids(self):
        if not self.env.user.has_group("base.group_system"):
            return
        for settings in self[:1]:
            settings._client_online_bind(settings.client_online_bound_model_ids)

    def _client_online_bind(self, wanted):
        bindings = self._client_online_bindings()
        bound = bindings.binding_model_id
        bindings.filtered(lambda action: action.binding_model_id not in wanted).unlink()
        for model in wanted - bound:
            if model.model == "res.partner" or model.transient:
                continue
            self.env["ir.actions.act_window"].sudo().create(
                {
                    "name": self.env._("Send for approval"),
                    "res_model": SEND_WIZARD,
                    "view_mode": "form",
                    "target": "new",
                    "binding_model_id": model.id,
                    "binding_view_types": "form,list",
                    "groups_id": [(6, 0, [self.env.ref("client_online_connector.group_client_online_user").id])],
                }
            )
