"""The runs of the scheduled job, per company: when each ran and what it did.

The Settings show the last successful run with its counts.  A run is written by the job itself
(with sudo) when it ends; a run that fails is rolled back with its work and not written, so the
last successful run stays what it was.  A run that found another one busy with the company is
written as skipped.  Nobody edits or deletes runs through the ORM; the job removes a company's
runs after RETENTION_DAYS.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

RETENTION_DAYS = 90


class ClientOnlineJobRun(models.Model):
    _name = "client.online.job.run"
    _description = "ClientOnline Job Run"
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("done", "Done"), ("skipped", "Skipped: another run was busy")], required=True, readonly=True, default="done"
    )
    started_at = fields.Datetime(string="Started", readonly=True, required=True)
    ended_at = fields.Datetime(string="Ended", readonly=True, required=True, index=True)
    picked_count = fields.Integer(string="Files Picked Up", readonly=True)
    sent_count = fields.Integer(string="Documents Sent", readonly=True)
    failed_count = fields.Integer(string="Uploads Failed", readonly=True)
    changed_count = fields.Integer(
        string="States Changed", readonly=True, help="Documents whose state the portal's answer changed."
    )
    moved_count = fields.Integer(string="Files Moved", readonly=True, help="Files put in the folder of their outcome.")
    problems = fields.Text(readonly=True, help="What the run could not do (a folder, the connection).")
    summary = fields.Char(compute="_compute_summary")

    @api.depends("state", "picked_count", "sent_count", "failed_count", "changed_count", "moved_count")
    @api.depends_context("lang")
    def _compute_summary(self):
        _ = self.env._
        for run in self:
            if run.state == "skipped":
                run.summary = _("skipped: another run was busy")
                continue
            run.summary = _(
                "files picked up: %(picked)s, documents sent: %(sent)s, uploads failed: %(failed)s, states "
                "changed: %(changed)s, files moved: %(moved)s",
                picked=run.picked_count,
                sent=run.sent_count,
                failed=run.failed_count,
                changed=run.changed_count,
                moved=run.moved_count,
            )

    @api.model
    def _record(self, company, started_at, state="done", counts=None, problems=()):
        """Write a run of ``company`` that ended now (the job calls this; users cannot), and forget the
        company's runs older than the retention."""
        counts = counts or {}
        now = fields.Datetime.now()
        Runs = self.sudo().with_context(client_online_job_run_write=True)
        Runs.search([("company_id", "=", company.id), ("ended_at", "<", now - timedelta(days=RETENTION_DAYS))]).unlink()
        run = Runs.create(
            {
                "company_id": company.id,
                "state": state,
                "started_at": started_at,
                "ended_at": now,
                "picked_count": counts.get("picked", 0),
                "sent_count": counts.get("sent", 0),
                "failed_count": counts.get("failed", 0),
                "changed_count": counts.get("changed", 0),
                "moved_count": counts.get("moved", 0),
                "problems": "\n".join(problems) or False,
            }
        )
        return self.browse(run.id)

    @api.model
    def _last(self, company):
        """The last successful run of the job for ``company``."""
        return self.sudo().search([("company_id", "=", company.id), ("state", "=", "done")], limit=1)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("client_online_job_run_write"):
            raise UserError(self.env._("Job runs are written by the ClientOnline job only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get("client_online_job_run_write"):
            raise UserError(self.env._("Job runs cannot be changed."))
        return super().write(vals)

    def unlink(self):
        if not self.env.context.get("client_online_job_run_write"):
            raise UserError(self.env._("Job runs are removed by the ClientOnline job after %(days)s days only.",
                                       days=RETENTION_DAYS))  # fmt: skip
        return super().unlink()
