from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .social_debt_check import PURPOSES


class SocialDebtBatch(models.Model):
    """Many questions sent as one grouped message, whose answers are collected later.

    The life cycle: draft (questions stored, nothing sent) -> waiting (the KSZ acknowledged
    the message) -> done (every answer collected and matched back by reference), or error
    (with the reason; ``action_retry`` sends again).  Sending is idempotent (the same
    reference gets the same acknowledgement) and collecting resumes at ``next_offset``, so a
    run interrupted anywhere is taken up again without duplicate checks or lost answers.
    """

    _name = "social.debt.batch"
    _description = "Social Debt Batch"
    _order = "id desc"
    _check_company_auto = True
    _rec_name = "ticket"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    ticket = fields.Char(string="Reference", required=True, readonly=True, index=True, copy=False)
    ticket_cbss = fields.Char(string="KSZ Ticket", readonly=True)
    purpose = fields.Selection(PURPOSES, required=True, readonly=True, default="withholding")
    legal_context = fields.Char(readonly=True)
    backend = fields.Selection(
        [("ksz", "KSZ/BCSS EmployerAccountBalance"), ("billretainment", "RSZ billRetainment")],
        required=True,
        readonly=True,
        default="ksz",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("waiting", "Waiting for the answers"), ("done", "Done"), ("error", "Error")],
        required=True,
        readonly=True,
        default="draft",
        index=True,
        copy=False,
    )
    user_id = fields.Many2one("res.users", string="Started By", readonly=True, default=lambda self: self.env.uid)
    check_ids = fields.One2many("social.debt.check", "batch_id", string="Checks", readonly=True)
    question_count = fields.Integer(string="Questions", readonly=True)
    accepted_count = fields.Integer(string="Accepted", readonly=True)
    answered_count = fields.Integer(string="Answered", readonly=True)
    unmatched_count = fields.Integer(string="Unknown References", readonly=True)
    next_offset = fields.Integer(readonly=True, help="Where collecting the answers goes on.")
    sent_at = fields.Datetime(readonly=True)
    collected_at = fields.Datetime(readonly=True)
    error_code = fields.Char(readonly=True)
    error_message = fields.Char(readonly=True)
    attempts = fields.Integer(readonly=True)

    _sql_constraints = [
        ("ticket_company_unique", "UNIQUE(company_id, ticket)", "A batch reference is used once per company."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("Social debt batches are written by the connection only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("A social debt batch cannot be changed."))
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(self.env._("A social debt batch cannot be deleted."))
        return super().unlink()

    def copy(self, default=None):
        if self:
            raise UserError(self.env._("A social debt batch cannot be copied."))
        return super().copy(default)

    def action_retry(self):
        """Send a failed batch again (the same reference: the KSZ answers with the first acknowledgement)."""
        if not self.env.user.has_group("social_debt.group_social_debt_user"):
            raise AccessError(self.env._("Checking suppliers needs the Social Debt User group."))
        for batch in self:
            if batch.state != "error":
                raise UserError(self.env._("Only a batch in error can be sent again."))
        self.sudo().write({"state": "draft", "error_code": False, "error_message": False})
        self.sudo().check_ids.filtered(lambda check: check.state == "error").write(
            {"state": "draft", "error_code": False, "error_message": False}
        )
        self.env.ref("social_debt.ir_cron_social_debt_batches")._trigger()
        return True

    def action_view_checks(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Checks of %(batch)s", batch=self.ticket),
            "res_model": "social.debt.check",
            "view_mode": "list,form",
            "domain": [("batch_id", "=", self.id)],
        }


class SocialDebtRun(models.Model):
    """One run of a scheduled job (monitoring, a batch's send or collect): done, skipped or failed."""

    _name = "social.debt.run"
    _description = "Social Debt Job Run"
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    job = fields.Selection(
        [("monitor", "Monitoring"), ("send", "Send batch"), ("collect", "Collect answers")],
        required=True,
        readonly=True,
    )
    batch_id = fields.Many2one("social.debt.batch", readonly=True, index=True, check_company=True)
    state = fields.Selection(
        [("done", "Done"), ("skipped", "Skipped (already running)"), ("error", "Error")],
        required=True,
        readonly=True,
    )
    count = fields.Integer(readonly=True, help="Questions sent or answers applied.")
    message = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("Job runs are written by the scheduled jobs only."))
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(self.env._("A job run cannot be changed."))
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(self.env._("A job run cannot be deleted."))
        return super().unlink()
