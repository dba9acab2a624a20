from odoo import fields, models

APPLY_MODES = [("auto", "Apply automatically"), ("review", "Review first")]
# Field groups of the register values: which keys of res.partner._kvk_prepare_values belong to which
# group, and whether a change of them is applied at once or waits in the inbox by default.
FIELD_GROUPS = {
    "name": ("name",),
    "address": ("street", "zip", "city", "country_id", "kvk_postal_address"),
    "contact": ("phone", "website"),
    "activity": ("kvk_sbi_id", "kvk_sbi_ids"),
    "employees": ("kvk_employees", "kvk_employees_full", "kvk_employees_part"),
    "register": (
        "kvk_rsin",
        "kvk_legal_form",
        "kvk_statutory_name",
        "kvk_trade_names",
        "kvk_founding_raw",
        "kvk_bsn",
        "kvk_private_address",
    ),
}
GROUP_OF = {key: group for group, keys in FIELD_GROUPS.items() for key in keys}


class ResCompany(models.Model):
    # apart from res_company.py on purpose: the settings of the change signals and the inbox
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    kvk_use_mutaties = fields.Boolean(
        string="KvK Change Signals",
        help="Poll the KvK Mutatieservice for changes of the registrations this company follows.",
    )
    kvk_review_user_id = fields.Many2one(
        "res.users",
        string="KvK Reviewer",
        help="Reviews register changes of contacts without a salesperson who may review them, "
        "and receives the weekly digest of what waits.",
    )
    kvk_archive_ended = fields.Boolean(
        string="Archive Ended Registrations",
        help="Accepting a deleted registration in the KvK inbox also archives the contact.",
    )
    kvk_signal_retention_days = fields.Integer(
        string="Keep Unrelated Signals (days)",
        default=30,
        help="Signals about registrations nobody follows are counted and removed after this many days.",
    )
    kvk_apply_name = fields.Selection(APPLY_MODES, string="Name", default="review", required=True)
    kvk_apply_address = fields.Selection(APPLY_MODES, string="Addresses", default="review", required=True)
    kvk_apply_contact = fields.Selection(APPLY_MODES, string="Phone and Website", default="review", required=True)
    kvk_apply_activity = fields.Selection(APPLY_MODES, string="SBI Activities", default="auto", required=True)
    kvk_apply_employees = fields.Selection(APPLY_MODES, string="Employees", default="auto", required=True)
    kvk_apply_register = fields.Selection(
        APPLY_MODES,
        string="Legal Form and Register Data",
        default="auto",
        required=True,
        help="Legal form, RSIN, statutory and trade names, founding date.",
    )

    _sql_constraints = [
        (
            "kvk_signal_retention_positive",
            "CHECK(kvk_signal_retention_days >= 0)",
            "The retention of unrelated KvK signals cannot be negative.",
        ),
    ]

    def _kvk_apply_mode(self, key):
        """``auto`` or ``review`` for a register key, as this company's settings say."""
        self.ensure_one()
        group = GROUP_OF.get(key)
        return self[f"kvk_apply_{group}"] if group else "auto"
