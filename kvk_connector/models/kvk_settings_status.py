"""The KvK block of the Settings: what the chosen environment uses, a connection test, the jobs' last runs."""

from odoo import api, fields, models
from odoo.exceptions import AccessError

NOTIFICATION_TYPES = {"success": "success", "refused": "danger", "certificate": "danger", "unreachable": "danger"}


class ResConfigSettings(models.TransientModel):
    # apart from res_config_settings.py on purpose: what the settings show, not what they set
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    kvk_endpoint_url = fields.Char(
        string="KvK Endpoint", compute="_compute_kvk_connection_info", help="Where this environment's calls go."
    )
    kvk_dataservice_endpoint_url = fields.Char(
        string="KvK Dataservice Endpoint", compute="_compute_kvk_connection_info"
    )
    kvk_key_note = fields.Char(string="KvK Key Used", compute="_compute_kvk_connection_info")
    kvk_refresh_last_run = fields.Datetime(string="Last Register Refresh", compute="_compute_kvk_job_runs")
    kvk_refresh_last_summary = fields.Char(string="Last Refresh Summary", compute="_compute_kvk_job_runs")
    kvk_purge_last_run = fields.Datetime(string="Last Query Log Clean-up", compute="_compute_kvk_job_runs")
    kvk_purge_last_summary = fields.Char(string="Last Clean-up Summary", compute="_compute_kvk_job_runs")
    kvk_signals_last_run = fields.Datetime(string="Last Change Signals Run", compute="_compute_kvk_job_runs")
    kvk_signals_last_summary = fields.Char(string="Last Change Signals Summary", compute="_compute_kvk_job_runs")
    kvk_import_last_run = fields.Datetime(string="Last Profile Import Run", compute="_compute_kvk_job_runs")
    kvk_import_last_summary = fields.Char(string="Last Profile Import Summary", compute="_compute_kvk_job_runs")
    kvk_digest_last_run = fields.Datetime(string="Last KvK Inbox Digest", compute="_compute_kvk_job_runs")
    kvk_digest_last_summary = fields.Char(string="Last Digest Summary", compute="_compute_kvk_job_runs")
    kvk_signals_schedule = fields.Char(string="Change Signals Schedule", compute="_compute_kvk_schedules")
    kvk_digest_schedule = fields.Char(string="Digest Schedule", compute="_compute_kvk_schedules")

    @api.depends("kvk_mode", "kvk_api_key", "company_id")
    def _compute_kvk_connection_info(self):
        service = self.env["kvk.service"]
        for settings in self:
            mode = settings.kvk_mode or "test"
            settings.kvk_endpoint_url = service._endpoint_for_mode(mode)
            settings.kvk_dataservice_endpoint_url = service._dataservice_endpoint_for_mode(mode)
            settings.kvk_key_note = service._key_note(
                settings.company_id, mode=mode, has_key=bool(settings.sudo().kvk_api_key)
            )

    @api.depends("company_id")
    def _compute_kvk_job_runs(self):
        Runs = self.env["kvk.job.run"]
        for settings in self:
            company = settings.company_id
            for job, run in (
                ("refresh", Runs._last("refresh", company)),
                ("purge", Runs._last("purge")),
                ("signals", Runs._last("signals", company)),
                ("import", Runs._last("import", company)),
                ("digest", Runs._last("digest", company)),
            ):
                settings[f"kvk_{job}_last_run"] = run.ended_at
                settings[f"kvk_{job}_last_summary"] = run.summary or self.env._("not run yet")

    @api.depends("company_id")
    @api.depends_context("lang")
    def _compute_kvk_schedules(self):
        for settings in self:
            for job, xmlid in (
                ("signals", "ir_cron_kvk_connector_signals"),
                ("digest", "ir_cron_kvk_connector_digest"),
            ):
                cron = self.env.ref(f"kvk_connector.{xmlid}", raise_if_not_found=False)
                settings[f"kvk_{job}_schedule"] = self._kvk_schedule_text(cron.sudo() if cron else cron)

    def _kvk_schedule_text(self, cron):
        """How often a scheduled action runs, with its unit ("every 15 minutes"), or that it is off."""
        if not cron or not cron.active:
            return self.env._("switched off (Settings > Technical > Scheduled Actions)")
        units = {
            "minutes": self.env._("minutes"),
            "hours": self.env._("hours"),
            "days": self.env._("days"),
            "weeks": self.env._("weeks"),
            "months": self.env._("months"),
        }
        if cron.interval_number == 1:
            return {
                "minutes": self.env._("every minute"),
                "hours": self.env._("every hour"),
                "days": self.env._("every day"),
                "weeks": self.env._("every week"),
                "months": self.env._("every month"),
            }[cron.interval_type]
        return self.env._("every %(count)s %(unit)s", count=cron.interval_number, unit=units[cron.interval_type])

    def _kvk_check_admin(self):
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators may test the KvK connection."))

    def action_kvk_test_connection(self):
        """Make the cheapest real call with the saved connection of the company and say what happened."""
        self.ensure_one()
        self._kvk_check_admin()
        company = self.company_id
        outcome, message = self.env["kvk.service"].sudo().with_company(company)._test_connection(company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("KvK connection test"),
                "message": message,
                "type": NOTIFICATION_TYPES.get(outcome, "warning"),
                "sticky": outcome != "success",
            },
        }

    def action_kvk_job_runs(self):
        self.ensure_one()
        self._kvk_check_admin()
        return self.env["ir.actions.act_window"]._for_xml_id("kvk_connector.kvk_job_run_action")
