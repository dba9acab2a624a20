from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .creditcheck_status import COUNTRIES

KINDS = [
    ("complete", "Complete refresh"),
    ("changes", "Change tracking"),
    ("defunct", "Defunct subjects"),
    ("single", "One subject"),
    ("test", "Connection test"),
]
LOG_STATES = [
    ("done", "Done"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
    ("held", "Needs confirmation"),
    ("confirmed", "Confirmed, to apply"),
    ("discarded", "Discarded"),
]


class CreditcheckSyncLog(models.Model):
    """One synchronisation run: what was asked, what came back, what changed.

    Written by ``creditcheck.sync`` only; nobody edits or deletes a log through
    the ORM, a retention job removes old ones.  A complete list that is empty or
    much shorter than the last applied one is kept here, "needs confirmation",
    until an administrator applies or discards it.
    """

    _name = "creditcheck.sync.log"
    _description = "CreditCheck Sync Log"
    _order = "date_start desc, id desc"
    _rec_name = "method"

    country = fields.Selection(COUNTRIES, required=True, readonly=True, index=True)
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    method = fields.Char(readonly=True)
    ico = fields.Char(string="IČO", readonly=True, help="The subject of a one-subject check.")
    state = fields.Selection(LOG_STATES, default="done", required=True, readonly=True, index=True, copy=False)
    date_start = fields.Datetime(string="Start", default=fields.Datetime.now, readonly=True, index=True)
    date_end = fields.Datetime(string="End", readonly=True)
    duration = fields.Float(string="Duration (seconds)", readonly=True, digits=(16, 2))
    user_id = fields.Many2one("res.users", string="Run by", default=lambda self: self.env.user, readonly=True)
    lines_read = fields.Integer(readonly=True)
    lines_applied = fields.Integer(readonly=True, help="Subjects stored, or events created by change tracking.")
    lines_rejected = fields.Integer(readonly=True)
    declared_count = fields.Integer(string="Count in the answer", readonly=True)
    count_green = fields.Integer(string="Green lines", readonly=True)
    count_orange = fields.Integer(string="Orange lines", readonly=True)
    count_red = fields.Integer(string="Red lines", readonly=True)
    partners_changed = fields.Integer(readonly=True)
    payload_shape = fields.Char(string="Answer", readonly=True, help="What CreditCheck's answer turned out to be.")
    rejects = fields.Text(string="Rejected lines", readonly=True)
    error = fields.Text(readonly=True)
    note = fields.Text(readonly=True)
    answer_attachment_id = fields.Many2one("ir.attachment", string="Kept answer", readonly=True, copy=False)
    confirmed_by = fields.Many2one("res.users", readonly=True, copy=False)
    summary = fields.Char(compute="_compute_summary", help="What the run did, in words.")

    @api.depends("kind", "state", "lines_read", "lines_applied", "partners_changed", "ico")
    @api.depends_context("lang")
    def _compute_summary(self):
        _ = self.env._
        states = dict(self._fields["state"]._description_selection(self.env))
        for log in self:
            values = {
                "lines": log.lines_read,
                "applied": log.lines_applied,
                "partners": log.partners_changed,
                "ico": log.ico or "",
            }
            if log.state != "done":
                log.summary = states.get(log.state)
            elif log.kind == "complete":
                log.summary = _(
                    "subjects applied: %(applied)s from %(lines)s lines, partners changed: %(partners)s", **values
                )
            elif log.kind == "changes":
                log.summary = _("new events: %(applied)s from %(lines)s records", **values)
            elif log.kind == "defunct":
                log.summary = _("defunct subjects: %(applied)s, partners changed: %(partners)s", **values)
            elif log.kind == "single":
                log.summary = _("IČO %(ico)s checked, partners changed: %(partners)s", **values)
            else:
                log.summary = _("the connection works")

    @api.model
    def _last_applied(self, country, kind):
        """The last run of ``kind`` (complete or defunct) that was applied."""
        return self.sudo().search(
            [("country", "=", country), ("kind", "=", kind), ("state", "=", "done")],
            order="date_start desc, id desc",
            limit=1,
        )

    @api.model
    def _last_done(self, country):
        return self.sudo().search(
            [("country", "=", country), ("kind", "in", ("complete", "defunct")), ("state", "=", "done")],
            order="date_start desc",
            limit=1,
        )

    def _keep_answer(self, raw):
        """Keep the SOAP answer of a held-back list, for applying it later."""
        self.ensure_one()
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"creditcheck-{self.country}-{self.method}-{self.id}.xml",
                    "raw": raw,
                    "mimetype": "text/xml",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        self.sudo().answer_attachment_id = attachment

    def _held_answer(self):
        """The kept answer: an open file from the filestore, or bytes."""
        self.ensure_one()
        attachment = self.sudo().answer_attachment_id
        if not attachment:
            raise UserError(self.env._("The answer of this held-back list is no longer kept."))
        if attachment.store_fname:
            return open(attachment._full_path(attachment.store_fname), "rb")  # noqa: SIM115 - read by the run
        return attachment.raw or b""

    def _check_manager(self):
        if not self.env.user.has_group("creditcheck_semaphore.group_creditcheck_manager"):
            raise AccessError(self.env._("Only CreditCheck administrators apply or discard a held-back list."))

    def action_apply_held(self):
        """Apply a held-back complete list: the refresh job applies it in the background."""
        self._check_manager()
        self.check_access("read")
        for log in self:
            if log.state != "held":
                raise UserError(self.env._("Only a list that needs confirmation can be applied."))
            newer = self.search_count(
                [
                    ("country", "=", log.country),
                    ("kind", "=", "complete"),
                    ("state", "=", "done"),
                    ("date_start", ">", log.date_start),
                ]
            )
            if newer:
                raise UserError(self.env._("A newer complete list was applied since; this one is out of date."))
        self.sudo().write({"state": "confirmed", "confirmed_by": self.env.uid})
        self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_refresh").sudo()._trigger()
        return True

    def action_discard_held(self):
        self._check_manager()
        self.check_access("read")
        if self.filtered(lambda log: log.state not in ("held", "confirmed")):
            raise UserError(self.env._("Only a list that needs confirmation can be discarded."))
        self.sudo().write({"state": "discarded", "confirmed_by": self.env.uid})
        return True

    @api.autovacuum
    def _gc_old_logs(self):
        """Retention: logs older than the configured number of days (default 400) go."""
        days = int(self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.log_retention_days", 400))
        old = self.sudo().search([("date_start", "<", fields.Datetime.now() - timedelta(days=days))])
        old.answer_attachment_id.unlink()
        old.unlink()
