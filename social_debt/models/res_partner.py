from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date

from ..clients import enterprise_number, format_enterprise_number, nsso_number
from .social_debt_check import VERDICT_SELECTION, brussels_today, notification

SCOPES = [
    ("art30bis", "Art. 30bis: works on immovable property"),
    ("art30ter", "Art. 30ter: security and surveillance"),
    ("meat", "Meat sector"),
    ("out", "Out of scope"),
]
IN_SCOPE = ("art30bis", "art30ter", "meat")


class ResPartnerCategory(models.Model):
    _inherit = "res.partner.category"

    social_debt_scope = fields.Selection(
        SCOPES,
        string="Withholding Scope",
        help="Suppliers with this tag take this art. 30bis/30ter scope by default.",
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    social_debt_enterprise_number = fields.Char(
        string="Enterprise Number (KBO/BCE)",
        compute="_compute_social_debt_enterprise_number",
        store=True,
        index=True,
        help="From the Company ID, else from a Belgian VAT number; checked with the KBO/BCE mod-97 rule.",
    )
    social_debt_enterprise_number_display = fields.Char(
        string="Enterprise Number", compute="_compute_social_debt_enterprise_number_display"
    )
    social_debt_enterprise_number_invalid = fields.Boolean(compute="_compute_social_debt_enterprise_number", store=True)
    social_debt_rsz_number = fields.Char(
        string="RSZ Number",
        help="The supplier's RSZ/ONSS registration number (filled from the first answer that states it).",
    )
    social_debt_scope = fields.Selection(
        SCOPES,
        string="Withholding Scope",
        compute="_compute_social_debt_scope",
        store=True,
        readonly=False,
        index=True,
        help="Whether payments to this supplier fall under the art. 30bis/30ter withholding. A tag with a scope "
        "sets it; it can be changed here.",
    )
    social_debt_check_id = fields.Many2one(
        "social.debt.check", string="Latest Social Debt Check", readonly=True, copy=False, ondelete="set null"
    )
    social_debt_verdict = fields.Selection(
        VERDICT_SELECTION, readonly=True, copy=False, default="not_checked", index=True
    )
    social_debt_answer_date = fields.Date(related="social_debt_check_id.answer_date", string="Answer of")
    social_debt_valid_until = fields.Date(related="social_debt_check_id.valid_until", string="Valid Until")
    social_debt_amount = fields.Monetary(
        related="social_debt_check_id.social_amount", currency_field="social_debt_currency_id", string="Social Debt"
    )
    social_debt_tax_amount = fields.Monetary(
        related="social_debt_check_id.tax_amount", currency_field="social_debt_currency_id", string="Tax Debt"
    )
    social_debt_currency_id = fields.Many2one(related="social_debt_check_id.currency_id", string="Social Debt Currency")
    social_debt_missing_quarters = fields.Char(related="social_debt_check_id.missing_quarters")
    social_debt_payment_plan = fields.Boolean(related="social_debt_check_id.payment_plan")
    social_debt_dispute_amount = fields.Monetary(
        related="social_debt_check_id.dispute_amount", currency_field="social_debt_currency_id"
    )
    social_debt_error = fields.Char(related="social_debt_check_id.error_message", string="Check Error")
    social_debt_days_left = fields.Integer(string="Days of Validity Left", compute="_compute_social_debt_days_left")
    social_debt_validity = fields.Char(string="Validity", compute="_compute_social_debt_days_left")
    social_debt_applies = fields.Boolean(
        compute="_compute_social_debt_applies",
        help="A supplier that is Belgian or has no country: one with vendor bills, a withholding scope or a check, "
        "or a new company that is not only a customer.",
    )

    @api.depends("company_registry", "vat", "country_id")
    def _compute_social_debt_enterprise_number(self):
        for partner in self:
            belgian = partner.country_id.code == "BE" or (partner.vat or "").upper().startswith("BE")
            number = ""
            if belgian:
                number = enterprise_number(partner.company_registry) or (
                    enterprise_number(partner.vat) if (partner.vat or "").upper().startswith("BE") else ""
                )
            partner.social_debt_enterprise_number = number
            partner.social_debt_enterprise_number_invalid = (
                belgian and not number and bool(partner.company_registry or partner.vat)
            )

    @api.depends(
        "is_company",
        "parent_id",
        "country_id",
        "vat",
        "supplier_rank",
        "customer_rank",
        "social_debt_scope",
        "social_debt_verdict",
    )
    def _compute_social_debt_applies(self):
        """Where the Social Debt tab, badge and buttons show: on the commercial entity (not on its
        contact persons) of a supplier that is Belgian (by country or VAT) or has no country, or that
        was checked already.  A supplier is one with vendor bills, one with a withholding scope, one
        already checked, or a new company that is no customer yet (a bidder, a contractor about to
        sign); a customer that is not a supplier does not get it."""
        for partner in self:
            checked = partner.social_debt_verdict not in (False, "not_checked")
            belgian = (
                not partner.country_id
                or partner.country_id.code == "BE"
                or (partner.vat or "").upper().startswith("BE")
            )
            supplier = (
                partner.supplier_rank > 0
                or partner.social_debt_scope in IN_SCOPE
                or checked
                or (partner.is_company and not partner.customer_rank)
            )
            partner.social_debt_applies = bool(not partner.parent_id and (belgian or checked) and supplier)

    @api.depends("social_debt_enterprise_number")
    def _compute_social_debt_enterprise_number_display(self):
        for partner in self:
            partner.social_debt_enterprise_number_display = format_enterprise_number(
                partner.social_debt_enterprise_number
            )

    @api.depends("category_id.social_debt_scope")
    def _compute_social_debt_scope(self):
        for partner in self:
            scopes = [scope for scope, _label in SCOPES if scope in partner.category_id.mapped("social_debt_scope")]
            if scopes:
                partner.social_debt_scope = scopes[0]
            elif not partner.social_debt_scope:
                partner.social_debt_scope = "out"

    @api.depends("social_debt_check_id", "social_debt_verdict")
    @api.depends_context("lang")
    def _compute_social_debt_days_left(self):
        today = brussels_today()
        for partner in self:
            check = partner.social_debt_check_id
            if not check or partner.social_debt_verdict in ("error", "not_checked") or not check.valid_until:
                partner.social_debt_days_left = 0
                partner.social_debt_validity = False
                continue
            days = (check.valid_until - today).days
            until = format_date(self.env, check.valid_until)
            partner.social_debt_days_left = max(days, 0)
            if days < 0 or check.answer_date > today:
                partner.social_debt_validity = self.env._("Expired on %(date)s", date=until)
            elif days == 0:
                partner.social_debt_validity = self.env._("Valid today only (%(date)s)", date=until)
            else:
                partner.social_debt_validity = self.env._(
                    "Valid %(days)s more days, until %(date)s", days=days, date=until
                )

    @api.constrains("social_debt_rsz_number")
    def _check_social_debt_rsz_number(self):
        for partner in self:
            if partner.social_debt_rsz_number and not nsso_number(partner.social_debt_rsz_number):
                raise ValidationError(
                    self.env._(
                        "%(number)s is not an RSZ/ONSS registration number (9 or 10 digits, or 12 with the category).",
                        number=partner.social_debt_rsz_number,
                    )
                )

    def _social_debt_in_scope(self):
        self.ensure_one()
        return self.commercial_partner_id.social_debt_scope in IN_SCOPE

    def _social_debt_display_number(self):
        return format_enterprise_number(self.social_debt_enterprise_number)

    # -- actions -----------------------------------------------------------------------------------

    def _check_social_debt_group(self):
        if not self.env.user.has_group("social_debt.group_social_debt_user"):
            raise AccessError(self.env._("Checking suppliers needs the Social Debt User group."))

    def action_social_debt_check(self):
        """Check the supplier now (synchronous), for the withholding at payment."""
        return self._social_debt_check_now("withholding")

    def action_social_debt_check_procurement(self):
        """Check a bidder now for a public procurement file, with the procurement legal context."""
        return self._social_debt_check_now("procurement")

    def _social_debt_check_now(self, purpose):
        self._check_social_debt_group()
        if not self:
            raise UserError(self.env._("Select the suppliers to check."))
        before = {
            partner.id: (partner.social_debt_verdict or "not_checked", partner.sudo().social_debt_check_id)
            for partner in self.commercial_partner_id
        }
        checks = self.env["social.debt.service"]._check_partners(self, purpose)
        answered = checks.filtered(lambda check: check.state == "answered")
        answered._ensure_proof()
        failed = checks - answered
        labels = dict(self.env["social.debt.check"]._fields["verdict"]._description_selection(self.env))
        changed = answered.filtered(lambda check: before[check.partner_id.id][0] != check.verdict)
        if len(checks) == 1:
            check = checks.sudo()
            old_verdict, old_check = before[check.partner_id.id]
            if check.state != "answered":
                message = self.env._("The check failed: %(reason)s", reason=check.error_message)
            elif old_verdict == "not_checked":
                message = self.env._("Checked: %(verdict)s.", verdict=labels[check.verdict])
            elif old_verdict == check.verdict:
                day = old_check.answer_date or (old_check.create_date and old_check.create_date.date())
                message = (
                    self.env._(
                        "Checked: %(verdict)s, unchanged since the check of %(date)s.",
                        verdict=labels[check.verdict],
                        date=format_date(self.env, day),
                    )
                    if day
                    else self.env._("Checked: %(verdict)s, unchanged.", verdict=labels[check.verdict])
                )
            else:
                message = self.env._(
                    "Checked: %(verdict)s (was: %(old)s).", verdict=labels[check.verdict], old=labels[old_verdict]
                )
        elif changed:
            message = self.env._(
                "%(answered)s supplier(s) checked, %(changed)s with a new verdict; %(failed)s failed.",
                answered=len(answered),
                changed=len(changed),
                failed=len(failed),
            )
        else:
            message = self.env._(
                "%(answered)s supplier(s) checked, no verdict changed; %(failed)s failed.",
                answered=len(answered),
                failed=len(failed),
            )
        return notification(message, "warning" if failed else "success", sticky=bool(failed), reload=True)

    def action_social_debt_check_grouped(self):
        """Queue a grouped (asynchronous) check of the selected suppliers; the answers come later."""
        self._check_social_debt_group()
        batch = self.env["social.debt.service"]._create_batch(self)
        if not batch:
            return notification(
                self.env._(
                    "Nothing was queued: the selected suppliers have no valid Belgian enterprise number, or a "
                    "check of each of them is already under way."
                ),
                "warning",
            )
        self.env.ref("social_debt.ir_cron_social_debt_batches")._trigger()
        count = batch.sudo().question_count
        skipped = len(self.commercial_partner_id) - count
        message = self.env._(
            "%(count)s supplier(s) queued for a grouped check; the answers are collected in the background.",
            count=count,
        )
        if skipped:
            message += " " + self.env._(
                "%(skipped)s left out: no valid Belgian enterprise number, or a check already under way.",
                skipped=skipped,
            )
        return notification(message, "info")

    def action_social_debt_view_checks(self):
        self.ensure_one()
        self._check_social_debt_group()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Social Debt Checks"),
            "res_model": "social.debt.check",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.commercial_partner_id.id)],
            "context": {"create": False},
            "help": Markup("<p class='o_view_nocontent_smiling_face'>{}</p><p>{}</p>").format(
                self.env._("No check of this supplier yet"),
                self.env._(
                    "Check now on the supplier's Social Debt tab asks the RSZ (and the FOD Financiën) at once; the "
                    "daily re-check and paying one of its bills check it too. Each check appears here with its "
                    "answer and its proof."
                ),
            ),
        }
