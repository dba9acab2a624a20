from odoo import api, fields, models

SBI_VERSIONS = [("2008", "SBI 2008"), ("2025", "SBI 2025")]


class KvkSbiActivity(models.Model):
    """An SBI code (Standaard Bedrijfsindeling) of one edition, with the register's current description.

    KvK converted the register from SBI 2008 to SBI 2025 in September 2025; some codes exist
    in both editions with another meaning, so a code is unique per edition only.
    """

    _name = "kvk.sbi.activity"
    _description = "SBI Activity"
    _order = "code, version"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True, help="Five digits (SBI 2008 also has shorter codes).")
    version = fields.Selection(SBI_VERSIONS, string="SBI Edition", required=True, default="2025", index=True)
    name = fields.Char(string="Description", required=True, help="As the register describes the code now.")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_version_unique", "UNIQUE(code, version)", "An SBI code exists only once per SBI edition."),
    ]

    @api.depends("code", "name", "version")
    def _compute_display_name(self):
        for activity in self:
            activity.display_name = f"{activity.code} {activity.name} (SBI {activity.version})"

    @api.model
    def _from_register(self, activities):
        """The records of the register's activities (``code``, ``description``, ``version``), created when
        new; a description the register changed is taken over."""
        Activity = self.sudo().with_context(active_test=False)
        found = {(a.code, a.version): a for a in Activity.search([("code", "in", [a.code for a in activities])])}
        records = self.browse()
        for activity in activities:
            version = activity.version or "2025"
            record = found.get((activity.code, version))
            description = activity.description or activity.code
            if not record:
                record = found[(activity.code, version)] = Activity.create(
                    {"code": activity.code, "version": version, "name": description}
                )
            elif activity.description and record.name != activity.description:
                record.name = activity.description
            records |= record
        return records.sudo(False)
