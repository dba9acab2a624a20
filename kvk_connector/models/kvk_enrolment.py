import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

SOURCES = [
    ("search", "Search register"),
    ("import", "Profile import"),
    ("bulk", "Enrolled from the contact list"),
    ("review", "KvK inbox"),
]
END_REASONS = [
    ("manual", "Ended by a user"),
    ("archived", "Contact archived"),
    ("merged", "Contact merged"),
    ("deleted", "Contact deleted"),
    ("ended", "Registration ended"),
    ("moved", "Moved to another registration"),
    ("unlinked", "KvK number changed"),
]


class KvkEnrolment(models.Model):
    """A contact followed for register changes, per registration: a KvK number, and the
    vestigingsnummer where the contact is a side branch.  One company's signals, inbox,
    cost and cap; a contact is enrolled at most once per company at a time."""

    _name = "kvk.enrolment"
    _description = "KvK Enrolment"
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Contact", readonly=True, index=True, ondelete="set null", check_company=True
    )
    partner_name = fields.Char(string="Contact Name", readonly=True, help="As it was when enrolled.")
    kvk_number = fields.Char(string="KvK Number", size=8, required=True, readonly=True, index=True)
    branch_number = fields.Char(
        string="Vestigingsnummer",
        size=12,
        readonly=True,
        help="Only for a side branch; a company or main branch is followed by its KvK number.",
    )
    registration = fields.Char(compute="_compute_registration", store=True, index=True)
    state = fields.Selection(
        [("active", "Following"), ("ended", "Ended")], default="active", required=True, readonly=True, index=True
    )
    source = fields.Selection(SOURCES, readonly=True)
    profile_id = fields.Many2one("kvk.profile", string="Profile", readonly=True, check_company=True)
    date_start = fields.Datetime(string="Since", default=fields.Datetime.now, readonly=True)
    date_end = fields.Datetime(string="Until", readonly=True)
    end_reason = fields.Selection(END_REASONS, readonly=True)
    ended_by = fields.Many2one("res.users", readonly=True)

    _sql_constraints = [
        ("kvk_number_digits", "CHECK(kvk_number ~ '^[0-9]{8}$')", "A KvK number has 8 digits."),
        (
            "branch_number_digits",
            "CHECK(branch_number IS NULL OR branch_number ~ '^[0-9]{12}$')",
            "A vestigingsnummer has 12 digits.",
        ),
    ]

    def init(self):
        # one enrolment at a time per contact and company; ended ones are kept as history
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS kvk_enrolment_active_partner "
            "ON kvk_enrolment (company_id, partner_id) WHERE state = 'active' AND partner_id IS NOT NULL"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS kvk_enrolment_active_number "
            "ON kvk_enrolment (company_id, kvk_number) WHERE state = 'active'"
        )

    @api.depends("kvk_number", "branch_number")
    def _compute_registration(self):
        for enrolment in self:
            enrolment.registration = registration_key(enrolment.kvk_number, enrolment.branch_number)

    @api.depends("partner_id", "partner_name", "registration")
    def _compute_display_name(self):
        for enrolment in self:
            who = enrolment.partner_id.display_name or enrolment.partner_name
            enrolment.display_name = f"{who} ({enrolment.registration})" if who else enrolment.registration or ""

    @api.constrains("kvk_number", "branch_number")
    def _check_numbers(self):
        for enrolment in self:
            if not re.fullmatch(r"[0-9]{8}", enrolment.kvk_number or ""):
                raise ValidationError(self.env._("A KvK number has 8 digits, not “%s”.", enrolment.kvk_number or ""))
            if enrolment.branch_number and not re.fullmatch(r"[0-9]{12}", enrolment.branch_number):
                raise ValidationError(self.env._("A vestigingsnummer has 12 digits, not %s.", enrolment.branch_number))

    def write(self, vals):
        # the registration of an enrolment does not change: another registration is another enrolment
        if {"kvk_number", "branch_number", "company_id"} & set(vals) and not self.env.context.get("kvk_enrolment_init"):
            raise ValidationError(self.env._("An enrolment keeps its registration: end it and enrol again."))
        return super().write(vals)

    def action_end(self):
        """End following these registrations (KvK users)."""
        self.env["res.partner"]._kvk_check_user()
        self.check_access("read")
        self.partner_id.check_access("write")
        self.filtered(lambda e: e.state == "active")._end("manual")
        return True

    def _end(self, reason):
        active = self.filtered(lambda e: e.state == "active")
        if active:
            # sudo: archiving, merging or deleting a contact ends its enrolment whoever does it
            active.sudo().write(
                {"state": "ended", "date_end": fields.Datetime.now(), "end_reason": reason, "ended_by": self.env.uid}
            )
        return active


def registration_key(kvk_number, branch_number=""):
    """How a registration is named: the KvK number, with ``/vestigingsnummer`` for a side branch."""
    return f"{kvk_number or ''}/{branch_number}" if branch_number else (kvk_number or "")
