from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

# Context marker with which the payment wizard creates split payments.  It is a Python object,
# so it never arrives through RPC (whose context is JSON): only the server's own code sets the
# social-debt fields of a payment.
SPLIT_TOKEN = object()
SOCIAL_DEBT_FIELDS = {
    "social_debt_role",
    "social_debt_supplier_id",
    "social_debt_check_id",
    "social_debt_override_reason",
    "social_debt_main_payment_id",
}


def may_set_social_debt_fields(env):
    return env.su or env.context.get("social_debt_split") is SPLIT_TOKEN


class AccountPayment(models.Model):
    _inherit = "account.payment"

    social_debt_role = fields.Selection(
        [
            ("supplier", "Supplier's share"),
            ("rsz", "Withheld for the RSZ"),
            ("fod", "Withheld for the FOD Financiën"),
        ],
        string="Withholding Role",
        readonly=True,
        copy=False,
    )
    social_debt_supplier_id = fields.Many2one(
        "res.partner", string="Withheld For", readonly=True, copy=False, help="The contractor whose bill this pays."
    )
    social_debt_check_id = fields.Many2one(
        "social.debt.check", string="Social Debt Check", readonly=True, copy=False, ondelete="set null"
    )
    social_debt_override_reason = fields.Text(string="Paid Without a Valid Check", readonly=True, copy=False)
    social_debt_main_payment_id = fields.Many2one(
        "account.payment", string="Supplier Payment", readonly=True, copy=False, index="btree_not_null"
    )
    social_debt_withholding_ids = fields.One2many(
        "account.payment", "social_debt_main_payment_id", string="Withheld Payments", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(SOCIAL_DEBT_FIELDS & set(vals) for vals in vals_list) and not may_set_social_debt_fields(self.env):
            raise UserError(self.env._("The withholding of a payment is set by the payment wizard only."))
        return super().create(vals_list)

    def write(self, vals):
        if SOCIAL_DEBT_FIELDS & set(vals) and not may_set_social_debt_fields(self.env):
            raise UserError(self.env._("The withholding of a payment is set by the payment wizard only."))
        return super().write(vals)

    def _prepare_move_line_default_vals(self, write_off_line_vals=None, force_balance=None):
        """A withheld part is paid to the RSZ or the FOD but settles the contractor's bill: the
        payable line stays on the contractor, only the bank line names the RSZ or the FOD."""
        lines = super()._prepare_move_line_default_vals(write_off_line_vals, force_balance)
        if self.social_debt_role in ("rsz", "fod") and self.social_debt_supplier_id:
            lines[1]["partner_id"] = self.social_debt_supplier_id.id
        return lines

    def action_post(self):
        self._social_debt_gate()
        return super().action_post()

    def _social_debt_gate(self):
        """An outbound payment to an in-scope supplier needs a check valid on its date; with debts,
        it must be the supplier's share of a split made by the payment wizard."""
        Check = self.env["social.debt.check"]
        for payment in self:
            if payment.payment_type != "outbound" or payment.partner_type != "supplier":
                continue
            if payment.social_debt_role in ("rsz", "fod") or payment.social_debt_override_reason:
                continue
            partner = payment.partner_id.commercial_partner_id
            if not partner or not partner._social_debt_in_scope():
                continue
            check = payment.sudo().social_debt_check_id
            if not (check and check._is_valid_on(payment.date) and check.partner_id == partner):
                check = Check._valid_for(partner, payment.date, payment.company_id)
            if not check:
                raise UserError(
                    self.env._(
                        "%(supplier)s falls under the art. 30bis/30ter withholding and has no social debt check valid "
                        "on %(date)s. Check the supplier (Check now on the supplier or in Register Payment) before "
                        "paying.",
                        supplier=partner.display_name,
                        date=format_date(self.env, payment.date),
                    )
                )
            if (check.social_obligation or check.tax_obligation) and payment.social_debt_role != "supplier":
                raise UserError(
                    self.env._(
                        "%(supplier)s has debts (%(verdict)s on %(date)s): the payment must be split with the "
                        "withholding. Register it from the bill (Register Payment), which proposes the split.",
                        supplier=partner.display_name,
                        verdict=dict(Check._fields["verdict"]._description_selection(self.env))[check.verdict],
                        date=format_date(self.env, check.answer_date),
                    )
                )
            if payment.sudo().social_debt_check_id != check:
                payment.sudo().social_debt_check_id = check
                payment._social_debt_attach_proof(check)

    def _social_debt_attach_proof(self, check):
        """Attach the check's proof (PDF) to these payments, with a note."""
        proof = check._ensure_proof()
        if not proof:
            return
        for payment in self:
            copy = proof.sudo().copy({"res_model": "account.payment", "res_id": payment.id})
            payment.sudo().message_post(
                body=self.env._(
                    "Social debt check of %(date)s (%(verdict)s) attached as proof.",
                    date=format_date(self.env, check.answer_date),
                    verdict=dict(check._fields["verdict"]._description_selection(self.env))[check.verdict],
                ),
                attachment_ids=copy.ids,
            )
