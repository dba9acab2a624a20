from odoo import api, fields, models


class KvkSbiActivity(models.Model):
    """An SBI code (Standaard Bedrijfsindeling) as the register gives it."""

    _name = "kvk.sbi.activity"
    _description = "SBI Activity"
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True, help="SBI 2025 code: five digits.")
    name = fields.Char(string="Description", required=True, translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "UNIQUE(code)", "An SBI code exists only once.")]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for activity in self:
            activity.display_name = f"{activity.code} {activity.name}"

    @api.model
    def _from_register(self, activities):
        """The records of the register's activities (``clients.Activity``), created when new."""
        codes = [a.code for a in activities]
        found = {a.code: a for a in self.sudo().with_context(active_test=False).search([("code", "in", codes)])}
        records = self.browse()
        for activity in activities:
            record = found.get(activity.code)
            if not record:
                record = found[activity.code] = self.sudo().create(
                    {"code": activity.code, "name": activity.description or activity.code}
                )
            records |= record
        return records.sudo(False)
