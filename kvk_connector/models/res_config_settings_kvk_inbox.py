from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    # apart from res_config_settings.py on purpose: the settings of the change signals and the inbox
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    kvk_use_mutaties = fields.Boolean(related="company_id.kvk_use_mutaties", readonly=False)
    kvk_review_user_id = fields.Many2one(related="company_id.kvk_review_user_id", readonly=False)
    kvk_archive_ended = fields.Boolean(related="company_id.kvk_archive_ended", readonly=False)
    kvk_signal_retention_days = fields.Integer(related="company_id.kvk_signal_retention_days", readonly=False)
    kvk_apply_name = fields.Selection(related="company_id.kvk_apply_name", readonly=False)
    kvk_apply_address = fields.Selection(related="company_id.kvk_apply_address", readonly=False)
    kvk_apply_contact = fields.Selection(related="company_id.kvk_apply_contact", readonly=False)
    kvk_apply_activity = fields.Selection(related="company_id.kvk_apply_activity", readonly=False)
    kvk_apply_employees = fields.Selection(related="company_id.kvk_apply_employees", readonly=False)
    kvk_apply_register = fields.Selection(related="company_id.kvk_apply_register", readonly=False)
