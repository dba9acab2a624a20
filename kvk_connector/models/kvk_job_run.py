"""The KvK jobs' runs: when each ran, for which company, and what it did.

The Settings show the last successful run of each job with its counts.  A run is written by the
job itself (with sudo) when it ends; a run that fails is not written, so the last successful run
stays what it was.  Nobody edits or deletes runs through the ORM; they are removed with the query
log's retention.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .kvk_query_log import RETENTION_PARAM

JOBS = [
    ("refresh", "Register refresh"),
    ("purge", "Query log clean-up"),
    ("signals", "Change signals"),
    ("import", "Profile import"),
    ("digest", "KvK inbox digest"),
]


class KvkJobRun(models.Model):
    _name = "kvk.job.run"
    _description = "KvK Job Run"
    _order = "id desc"
    _check_company_auto = True

    job = fields.Selection(JOBS, required=True, readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        index=True,
        help="The company whose connection the run used; empty for a job of the whole installation.",
    )
    state = fields.Selection(
        [("done", "Done"), ("skipped", "Skipped: another run was busy")], required=True, readonly=True, default="done"
    )
    started_at = fields.Datetime(string="Started", readonly=True, required=True)
    ended_at = fields.Datetime(string="Ended", readonly=True, required=True)
    done_count = fields.Integer(
        string="Done",
        readonly=True,
        help="Contacts refreshed, log entries removed, change signals processed, bulk-file rows read or digests sent.",
    )
    failed_count = fields.Integer(
        string="Failed", readonly=True, help="Contacts whose refresh failed, or bulk-file rows rejected."
    )
    remaining_count = fields.Integer(string="Left for the next run", readonly=True)
    read_count = fields.Integer(string="Signals Read", readonly=True)
    paid_count = fields.Integer(string="Paid Calls", readonly=True)
    item_count = fields.Integer(
        string="Review Items", readonly=True, help="Made by the change signals, or listed by a digest."
    )
    created_count = fields.Integer(string="Companies Created", readonly=True)
    linked_count = fields.Integer(string="Companies Linked", readonly=True)
    summary = fields.Char(compute="_compute_summary")

    @api.depends(
        "job", "state", "done_count", "failed_count", "remaining_count", "read_count", "paid_count", "item_count",
        "created_count", "linked_count",
    )  # fmt: skip
    @api.depends_context("lang")
    def _compute_summary(self):
        _ = self.env._
        for run in self:
            if run.state == "skipped":
                run.summary = _("skipped: another run was busy")
            elif run.job == "refresh":
                run.summary = _(
                    "contacts refreshed: %(done)s, failed: %(failed)s, left for the next run: %(remaining)s",
                    done=run.done_count,
                    failed=run.failed_count,
                    remaining=run.remaining_count,
                )
            elif run.job == "signals":
                run.summary = _(
                    "signals read: %(read)s, processed: %(done)s, paid calls: %(paid)s, review items made: %(items)s, "
                    "left for the next run: %(remaining)s",
                    read=run.read_count,
                    done=run.done_count,
                    paid=run.paid_count,
                    items=run.item_count,
                    remaining=run.remaining_count,
                )
            elif run.job == "import":
                run.summary = _(
                    "rows read: %(done)s, companies created: %(created)s, linked: %(linked)s, rows rejected: "
                    "%(failed)s, imports left for the next run: %(remaining)s",
                    done=run.done_count,
                    created=run.created_count,
                    linked=run.linked_count,
                    failed=run.failed_count,
                    remaining=run.remaining_count,
                )
            elif run.job == "digest":
                run.summary = _(
                    "digests sent: %(done)s, review items listed: %(items)s", done=run.done_count, items=run.item_count
                )
            else:
                run.summary = _(
                    "log entries removed: %(done)s, left for the next run: %(remaining)s",
                    done=run.done_count,
                    remaining=run.remaining_count,
                )

    @api.model
    def _record(self, job, company=None, started_at=None, state="done", done=0, failed=0, remaining=0, **counts):
        """Write a run that ended now (the jobs call this; users cannot).  ``counts``: the job's own
        counts (``read``, ``paid``, ``item``, ``created``, ``linked``)."""
        run = (
            self.sudo()
            .with_context(kvk_job_run_write=True)
            .create(
                {
                    "job": job,
                    "company_id": company.id if company else False,
                    "state": state,
                    "started_at": started_at or fields.Datetime.now(),
                    "ended_at": fields.Datetime.now(),
                    "done_count": done,
                    "failed_count": failed,
                    "remaining_count": remaining,
                    **{f"{name}_count": value for name, value in counts.items()},
                }
            )
        )
        return self.browse(run.id)

    @api.model
    def _last(self, job, company=None):
        """The last successful run of ``job`` (for ``company``, or of the whole installation)."""
        return self.sudo().search(
            [("job", "=", job), ("state", "=", "done"), ("company_id", "=", company.id if company else False)],
            limit=1,
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("kvk_job_run_write"):
            raise UserError(self.env._("Job runs are written by the KvK jobs only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get("kvk_job_run_write"):
            raise UserError(self.env._("Job runs cannot be changed."))
        return super().write(vals)

    def unlink(self):
        if not self.env.context.get("kvk_job_run_write"):
            raise UserError(self.env._("Job runs are removed with the query log's retention only."))
        return super().unlink()


class ResPartner(models.Model):
    # the refresh job records its runs: kept beside the runs, apart from the job itself
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _kvk_refresh_company(self, batch, max_age_days, default_company):
        started = fields.Datetime.now()
        outcome = super()._kvk_refresh_company(batch, max_age_days, default_company)
        self.env["kvk.job.run"]._record(
            "refresh",
            self.env.company,
            started_at=started,
            state="skipped" if outcome.get("skipped") else "done",
            done=outcome.get("done", 0),
            failed=outcome.get("failed", 0),
            remaining=outcome.get("remaining", 0),
        )
        return outcome


class KvkQueryLog(models.Model):
    # the log's clean-up records its runs: kept beside the runs, apart from the log itself
    _inherit = "kvk.query.log"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_purge(self):
        started = fields.Datetime.now()
        removed = super()._cron_purge()
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, 730) or 0)
        remaining = 0
        if days > 0:
            limit = started - timedelta(days=days)
            remaining = self.sudo().search_count([("create_date", "<", limit)])
            # the runs of the jobs are kept as long as the log
            old = self.env["kvk.job.run"].sudo().search([("ended_at", "<", limit)])
            old.with_context(kvk_job_run_write=True).unlink()
        self.env["kvk.job.run"]._record("purge", started_at=started, done=removed, remaining=remaining)
        return removed
