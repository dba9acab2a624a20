"""The CreditCheck block of the Settings: what the chosen environment uses, a connection test, the jobs' last runs."""

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.misc import format_datetime

from .creditcheck_sync_log import KINDS

NOTIFICATION_TYPES = {"success": "success", "refused": "danger", "certificate": "danger", "unreachable": "danger"}
REFRESH_CRONS = (
    "creditcheck_semaphore.ir_cron_creditcheck_semaphore_refresh",
    "creditcheck_semaphore.ir_cron_creditcheck_semaphore_track_changes",
)


class ResConfigSettings(models.TransientModel):
    # apart from res_config_settings.py on purpose: what the settings show, not what they set
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    creditcheck_endpoint_url_cz = fields.Char(
        string="Czech Calls Go To", compute="_compute_creditcheck_connection_info"
    )
    creditcheck_endpoint_url_sk = fields.Char(
        string="Slovak Calls Go To", compute="_compute_creditcheck_connection_info"
    )
    creditcheck_login_note = fields.Char(
        string="CreditCheck Account Used", compute="_compute_creditcheck_connection_info"
    )
    creditcheck_user_tz = fields.Char(string="Your Time Zone", compute="_compute_creditcheck_user_tz")
    creditcheck_job_complete = fields.Text(string="Last Complete Refresh", compute="_compute_creditcheck_jobs")
    creditcheck_job_changes = fields.Text(string="Last Change Tracking", compute="_compute_creditcheck_jobs")
    creditcheck_job_defunct = fields.Text(string="Last Defunct List", compute="_compute_creditcheck_jobs")
    creditcheck_job_single = fields.Text(string="One-Subject Checks", compute="_compute_creditcheck_jobs")
    creditcheck_job_notify = fields.Char(string="Last Messages Run", compute="_compute_creditcheck_jobs")
    creditcheck_job_digest = fields.Char(string="Last Daily Digest", compute="_compute_creditcheck_jobs")

    @api.depends(
        "creditcheck_mode",
        "creditcheck_endpoint_cz",
        "creditcheck_endpoint_sk",
        "creditcheck_login",
        "creditcheck_password",
    )
    def _compute_creditcheck_connection_info(self):
        service = self.env["creditcheck.service"]
        for settings in self:
            mode = settings.creditcheck_mode or "production"
            settings.creditcheck_endpoint_url_cz = service._endpoint_for_mode(
                mode, "cz", settings.creditcheck_endpoint_cz
            )
            settings.creditcheck_endpoint_url_sk = service._endpoint_for_mode(
                mode, "sk", settings.creditcheck_endpoint_sk
            )
            account = settings.sudo()
            settings.creditcheck_login_note = service._login_note(
                mode, bool(account.creditcheck_login and account.creditcheck_password)
            )

    @api.depends("company_id")
    @api.depends_context("uid")
    def _compute_creditcheck_user_tz(self):
        for settings in self:
            settings.creditcheck_user_tz = self._creditcheck_tz().zone

    @api.depends("creditcheck_countries")
    @api.depends_context("lang", "uid")
    def _compute_creditcheck_jobs(self):
        _ = self.env._
        logs = self.env["creditcheck.sync.log"].sudo()
        sync = self.env["creditcheck.sync"].sudo()
        names = {"cz": _("Czech"), "sk": _("Slovak")}
        kinds = dict(KINDS)
        for settings in self:
            countries = [code for code in (settings.creditcheck_countries or "cz,sk").split(",") if code in names]
            for kind in ("complete", "changes", "defunct"):
                lines = []
                for country in countries:
                    last = logs.search(
                        [("country", "=", country), ("kind", "=", kind), ("state", "=", "done")], limit=1
                    )
                    if last:
                        lines.append(
                            _(
                                "%(country)s: %(when)s, %(summary)s",
                                country=names[country],
                                when=self._creditcheck_when(last.date_end or last.date_start),
                                summary=last.summary,
                            )
                        )
                    else:
                        lines.append(_("%(country)s: not run yet", country=names[country]))
                settings[f"creditcheck_job_{kind}"] = "\n".join(lines) or kinds[kind]
            settings.creditcheck_job_single = "\n".join(
                _(
                    "%(country)s: %(used)s of %(limit)s used in the last 24 hours",
                    country=names[country],
                    used=sync._single_checks_used(country),
                    limit=sync._single_limit(),
                )
                for country in countries
            )
            notify = sync._last_job("notify")
            settings.creditcheck_job_notify = (
                _(
                    "%(when)s, changes and events told: %(done)s, left for the next run: %(remaining)s",
                    when=self._creditcheck_when(notify["at"]),
                    done=notify.get("done", 0),
                    remaining=notify.get("remaining", 0),
                )
                if notify
                else _("not run yet")
            )
            digest = sync._last_job("digest")
            settings.creditcheck_job_digest = (
                _(
                    "%(when)s, digest mails sent: %(mails)s",
                    when=self._creditcheck_when(digest["at"]),
                    mails=digest.get("mails", 0),
                )
                if digest
                else _("not run yet")
            )

    # -- the user's time zone -------------------------------------------------------------------

    def _creditcheck_tz(self):
        try:
            return pytz.timezone(self.env.user.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _creditcheck_when(self, value):
        """A UTC datetime (or its string) as the user reads it: in their time zone and language."""
        return format_datetime(self.env, value, tz=self._creditcheck_tz().zone, dt_format="medium")

    def _creditcheck_next_local_hour(self, hour, now=None):
        """The next time it is ``hour`` o'clock in the user's time zone, as a naive UTC datetime."""
        zone = self._creditcheck_tz()
        local_now = pytz.utc.localize(now or fields.Datetime.now()).astimezone(zone)
        day = local_now.date()
        at = zone.localize(datetime.combine(day, time(hour)))
        if at <= local_now:
            at = zone.localize(datetime.combine(day + timedelta(days=1), time(hour)))
        return at.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def get_values(self):
        values = super().get_values()
        cron = self.env.ref(REFRESH_CRONS[0], raise_if_not_found=False)
        if cron:
            nextcall = pytz.utc.localize(cron.sudo().nextcall).astimezone(self._creditcheck_tz())
            values["creditcheck_refresh_hour"] = nextcall.hour
        return values

    def set_values(self):
        result = super().set_values()
        hour = min(max(self.creditcheck_refresh_hour, 0), 23)
        at = self._creditcheck_next_local_hour(hour)
        cron = self.env.ref(REFRESH_CRONS[0], raise_if_not_found=False)
        current = pytz.utc.localize(cron.sudo().nextcall).astimezone(self._creditcheck_tz()).hour if cron else None
        if current != hour:  # saving other settings leaves the jobs' plan alone
            for offset, xmlid in enumerate(REFRESH_CRONS):
                job = self.env.ref(xmlid, raise_if_not_found=False)
                if job:
                    job.sudo().nextcall = at + timedelta(minutes=30 * offset)
        return result

    # -- buttons ---------------------------------------------------------------------------------

    def _creditcheck_check_admin(self):
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators may test the CreditCheck connection."))

    def action_creditcheck_test_connection(self):
        """Make the cheapest real call with the saved settings and say what happened."""
        self._creditcheck_check_admin()
        outcome, message = self.env["creditcheck.sync"].sudo()._test_connection()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("CreditCheck connection test"),
                "message": message,
                "type": NOTIFICATION_TYPES.get(outcome, "warning"),
                "sticky": outcome != "success",
            },
        }
