from datetime import timedelta

from odoo import api, fields, models

from .creditcheck_status import COUNTRIES

KINDS = [
    ("complete", "Complete refresh"),
    ("changes", "Change tracking"),
    ("defunct", "Defunct subjects"),
    ("single", "One subject"),
]


class CreditcheckSyncLog(models.Model):
    """One synchronisation run: what was asked, what came back, what changed."""

    _name = "creditcheck.sync.log"
    _description = "CreditCheck Sync Log"
    _order = "date_start desc, id desc"
    _rec_name = "method"

    country = fields.Selection(COUNTRIES, required=True, readonly=True, index=True)
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    method = fields.Char(readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="running",
        required=True,
        readonly=True,
        index=True,
        copy=False,
    )
    date_start = fields.Datetime(string="Start", default=fields.Datetime.now, readonly=True)
    date_end = fields.Datetime(string="End", readonly=True)
    duration = fields.Float(string="Seconds", readonly=True, digits=(16, 2))
    user_id = fields.Many2one("res.users", string="Run by", default=lambda self: self.env.user, readonly=True)
    lines_read = fields.Integer(readonly=True)
    lines_applied = fields.Integer(readonly=True, help="Subjects stored, or events created by change tracking.")
    lines_rejected = fields.Integer(readonly=True)
    declared_count = fields.Integer(string="Count in the answer", readonly=True)
    count_green = fields.Integer(string="Green lines", readonly=True)
    count_orange = fields.Integer(string="Orange lines", readonly=True)
    count_red = fields.Integer(string="Red lines", readonly=True)
    partners_changed = fields.Integer(readonly=True)
    rejects = fields.Text(string="Rejected lines", readonly=True)
    error = fields.Text(readonly=True)

    def _finish(self, report, applied=0, changed=0, seconds=0.0, error=None):
        self.ensure_one()
        self.write(
            {
                "state": "failed" if error else "done",
                "date_end": fields.Datetime.now(),
                "duration": seconds,
                "lines_read": report.lines_read,
                "lines_rejected": report.rejected,
                "lines_applied": 0 if error else applied,
                "declared_count": report.declared_count or 0,
                "count_green": report.per_status.get(1, 0),
                "count_orange": report.per_status.get(2, 0),
                "count_red": report.per_status.get(3, 0),
                "partners_changed": 0 if error else changed,
                "rejects": report.rejects_text() or False,
                "error": error or False,
            }
        )

    def _action_show(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("creditcheck_semaphore.creditcheck_sync_log_action")
        action["domain"] = [("id", "in", self.ids)]
        return action

    @api.model
    def _last_done(self, country):
        return self.sudo().search(
            [("country", "=", country), ("kind", "in", ("complete", "defunct")), ("state", "=", "done")],
            order="date_start desc",
            limit=1,
        )

    @api.autovacuum
    def _gc_old_logs(self):
        """Retention: logs older than the configured number of days (default 400) go."""
        days = int(self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.log_retention_days", 400))
        self.sudo().search([("date_start", "<", fields.Datetime.now() - timedelta(days=days))]).unlink()
