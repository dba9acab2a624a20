from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

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

    @api.depends("ticket", "create_date", "question_count")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for batch in self:
            if not batch.create_date:
                batch.display_name = batch.ticket or ""
                continue
            batch.display_name = self.env._(
                "Grouped check of %(date)s (%(count)s questions)",
                date=format_datetime(self.env, batch.create_date),
                count=batch.question_count,
            )

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
            "name": self.env._("Checks of %(batch)s", batch=self.display_name),
            "res_model": "social.debt.check",
            "view_mode": "list,form",
            "domain": [("batch_id", "=", self.id)],
            "context": {"create": False},
            "help": Markup("<p class='o_view_nocontent_smiling_face'>{}</p><p>{}</p>").format(
                self.env._("No question in this grouped check"),
                self.env._("Each supplier asked about in this grouped check appears here with its answer."),
            ),
        }


JOBS = [
    ("monitor", "Daily re-check"),
    ("send", "Send grouped check"),
    ("collect", "Collect answers"),
    ("housekeeping", "Expiry and clean-up"),
    ("test", "Connection test"),
]
COLLECT_OUTCOMES = ("done", "more", "not_ready")


class SocialDebtRun(models.Model):
    """One run of a scheduled job (the daily re-check, a grouped check's send or collect, the expiry
    and clean-up of checks) or a connection test: done, skipped (another run was busy) or failed,
    with its counts.  The Settings show the last successful run of each job."""

    _name = "social.debt.run"
    _description = "Social Debt Job Run"
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        index=True,
        help="The company whose connection the run used; empty for a job of the whole installation.",
    )
    job = fields.Selection(JOBS, required=True, readonly=True, index=True)
    batch_id = fields.Many2one(
        "social.debt.batch", string="Grouped Check", readonly=True, index=True, check_company=True
    )
    state = fields.Selection(
        [("done", "Done"), ("skipped", "Skipped (already running)"), ("error", "Error")],
        required=True,
        readonly=True,
    )
    count = fields.Integer(
        readonly=True, help="Suppliers asked, questions sent, answers applied or checks expired, by job."
    )
    removed_count = fields.Integer(string="Removed", readonly=True, help="Checks removed after the retention period.")
    remaining_count = fields.Integer(string="Left for the Next Run", readonly=True)
    message = fields.Char(readonly=True)
    summary = fields.Char(compute="_compute_summary")

    @api.depends("job", "state", "count", "removed_count", "remaining_count", "message")
    @api.depends_context("lang")
    def _compute_summary(self):
        _ = self.env._
        for run in self:
            if run.state == "skipped":
                run.summary = _("skipped: another run was busy")
            elif run.state == "error":
                run.summary = _("failed: %(reason)s", reason=run.message or "-")
            elif run.job == "monitor":
                run.summary = _("suppliers asked: %(count)s", count=run.count)
            elif run.job == "send":
                run.summary = _("questions sent: %(count)s", count=run.count)
            elif run.job == "collect":
                outcome = {
                    "done": _("all answers in"),
                    "more": _("more answers to collect"),
                    "not_ready": _("the answers are not ready yet"),
                }.get(run.message, "")
                run.summary = _("answers applied: %(count)s", count=run.count) + (f"; {outcome}" if outcome else "")
            elif run.job == "housekeeping":
                run.summary = _(
                    "checks expired: %(expired)s, removed: %(removed)s, left for the next run: %(remaining)s",
                    expired=run.count,
                    removed=run.removed_count,
                    remaining=run.remaining_count,
                )
            else:
                run.summary = run.message or ""

    @api.depends("job", "create_date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        jobs = dict(self._fields["job"]._description_selection(self.env))
        for run in self:
            moment = format_datetime(self.env, run.create_date) if run.create_date else ""
            run.display_name = f"{jobs.get(run.job, '')} {moment}".strip()

    @api.model
    def _last(self, job, company=None):
        """The last successful run of ``job`` for ``company`` (or of the whole installation)."""
        return self.sudo().search(
            [("job", "=", job), ("state", "=", "done"), ("company_id", "=", company.id if company else False)],
            limit=1,
        )

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
