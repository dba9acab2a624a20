from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, formatLang

from ..clients import InvoiceShare, split_payment
from ..models.account_payment import SPLIT_TOKEN
from ..models.social_debt_check import brussels_today


@dataclass
class Plan:
    """What the withholding does to one payment of one supplier."""

    partner: object
    state: str  # clear, split, blocked
    check: object = None
    split: object = None
    reason: str = ""


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    social_debt_state = fields.Selection(
        [
            ("none", "Not concerned"),
            ("clear", "No withholding"),
            ("split", "Withholding"),
            ("blocked", "No valid check"),
        ],
        compute="_compute_social_debt",
    )
    social_debt_summary = fields.Html(compute="_compute_social_debt", sanitize=False)
    social_debt_rsz_amount = fields.Monetary(compute="_compute_social_debt", currency_field="currency_id")
    social_debt_fod_amount = fields.Monetary(compute="_compute_social_debt", currency_field="currency_id")
    social_debt_supplier_amount = fields.Monetary(compute="_compute_social_debt", currency_field="currency_id")
    social_debt_can_check = fields.Boolean(compute="_compute_social_debt")
    social_debt_can_override = fields.Boolean(compute="_compute_social_debt")
    social_debt_override_reason = fields.Text(
        string="Reason to Pay Without a Valid Check",
        help="Accountants only: the payment goes ahead without withholding; the reason goes to the chatter of the "
        "bill and the payment.",
    )

    # -- the plan ------------------------------------------------------------------------------------

    def _social_debt_batches(self):
        """(commercial partner, lines, amount) of each supplier payment the wizard is about to make."""
        self.ensure_one()
        out = []
        for batch in self.batches or []:
            values = batch["payment_values"]
            if values["partner_type"] != "supplier" or values["payment_type"] != "outbound":
                continue
            lines = batch["lines"]
            if self.can_edit_wizard:
                amount = self.amount
            else:
                amount = self._get_total_amounts_to_pay([batch])["amount_by_default"]
            out.append((lines.partner_id.commercial_partner_id[:1], lines, amount))
        return out

    def _social_debt_plan(self, partner, lines, amount, day, currency):
        """The withholding for paying ``amount`` of ``lines`` (a supplier's payable lines) on ``day``."""
        if not partner or not partner._social_debt_in_scope():
            return None
        check = self.env["social.debt.check"]._valid_for(partner, day, self.company_id)
        if not check:
            return Plan(
                partner,
                "blocked",
                reason=self.env._("no social debt check valid on %(date)s", date=day),
            )
        social, tax = check.social_obligation, check.tax_obligation
        if not (social or tax):
            return Plan(partner, "clear", check)
        if currency != self.env.ref("base.EUR"):
            return Plan(partner, "blocked", check, reason=self.env._("the withholding is computed in euro only"))
        split = split_payment(
            Decimal(str(amount)),
            self._social_debt_shares(lines, amount),
            social,
            tax,
            (Decimal(str(check.tax_amount)) if tax and check.tax_amount_known else None),
        )
        return Plan(partner, "split", check, split)

    @api.model
    def _social_debt_shares(self, lines, amount):
        """How ``amount`` spreads over the bills of ``lines``: each bill in proportion to what is open."""
        by_move = lines.grouped("move_id")
        residuals = {move: -sum(move_lines.mapped("amount_residual_currency")) for move, move_lines in by_move.items()}
        total = sum(residuals.values())
        shares, given = [], Decimal(0)
        amount = Decimal(str(amount))
        for index, (move, residual) in enumerate(residuals.items()):
            if index == len(residuals) - 1:
                paid = amount - given
            else:
                paid = (amount * Decimal(str(residual)) / Decimal(str(total))).quantize(Decimal("0.01")) if total else 0
                given += paid
            sign = -1 if move.move_type == "in_refund" else 1
            shares.append(
                InvoiceShare(
                    move.name or move.ref or str(move.id),
                    Decimal(str(move.amount_untaxed)) * sign,
                    Decimal(str(move.amount_total)) * sign,
                    paid,
                )
            )
        return shares

    @api.depends("line_ids", "payment_date", "amount", "group_payment", "currency_id", "batches")
    def _compute_social_debt(self):
        user = self.env.user
        can_check = user.has_group("social_debt.group_social_debt_user")
        can_override = user.has_group("account.group_account_manager")
        for wizard in self:
            wizard.social_debt_can_check = can_check
            wizard.social_debt_can_override = can_override
            plans = [
                plan
                for partner, lines, amount in wizard._social_debt_batches()
                if (plan := wizard._social_debt_plan(partner, lines, amount, wizard.payment_date, wizard.currency_id))
            ]
            splits = [plan.split for plan in plans if plan.split]
            wizard.social_debt_rsz_amount = float(sum((split.rsz for split in splits), Decimal(0)))
            wizard.social_debt_fod_amount = float(sum((split.fod for split in splits), Decimal(0)))
            wizard.social_debt_supplier_amount = float(sum((split.supplier for split in splits), Decimal(0)))
            states = {plan.state for plan in plans}
            wizard.social_debt_state = (
                "blocked" if "blocked" in states else "split" if "split" in states else "clear" if plans else "none"
            )
            wizard.social_debt_summary = wizard._social_debt_summary_html(plans) if plans else False

    def _social_debt_summary_html(self, plans):
        labels = dict(self.env["social.debt.check"]._fields["verdict"]._description_selection(self.env))
        rows = []
        for plan in plans:
            if plan.state == "blocked":
                status = self.env._("Blocked: %(reason)s", reason=plan.reason)
            else:
                status = self.env._(
                    "%(verdict)s, answer of %(date)s valid until %(until)s",
                    verdict=labels.get(plan.check.verdict, plan.check.verdict),
                    date=format_date(self.env, plan.check.answer_date),
                    until=format_date(self.env, plan.check.valid_until),
                )
            amounts = ""
            if plan.split:
                amounts = Markup(
                    "<td class='text-end o_sd_rsz'>{}</td><td class='text-end o_sd_fod'>{}</td>"
                    "<td class='text-end o_sd_supplier'>{}</td>"
                ).format(
                    *(
                        self._social_debt_money(amount)
                        for amount in (plan.split.rsz, plan.split.fod, plan.split.supplier)
                    )
                )
            else:
                amounts = Markup("<td colspan='3'></td>")
            rows.append(
                Markup("<tr><td>{}</td><td>{}</td><td>{}</td>{}</tr>").format(
                    plan.partner.display_name, plan.partner._social_debt_display_number(), status, amounts
                )
            )
        head = Markup("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>").format(
            escape(self.env._("Supplier")),
            escape(self.env._("Enterprise number")),
            escape(self.env._("Verdict")),
            escape(self.env._("RSZ (35 %)")),
            escape(self.env._("FOD Financiën (15 %)")),
            escape(self.env._("To the supplier")),
        )
        return Markup(
            "<table class='table table-sm o_social_debt_split'><thead>{}</thead><tbody>{}</tbody></table>"
        ).format(head, Markup("").join(rows))

    def _social_debt_money(self, amount):
        return formatLang(self.env, float(amount), currency_obj=self.currency_id)

    # -- actions ---------------------------------------------------------------------------------------

    def _social_debt_missing(self):
        """The in-scope suppliers of this wizard without a check valid on the payment date."""
        self.ensure_one()
        partners = self.env["res.partner"]
        for partner, lines, amount in self._social_debt_batches():
            plan = self._social_debt_plan(partner, lines, amount, self.payment_date, self.currency_id)
            if plan and plan.state == "blocked" and not plan.check:
                partners |= partner
        return partners

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": self.env.context,
        }

    def action_social_debt_check_now(self):
        """Check the suppliers that have no valid check, then show the dialog again with the result."""
        self.ensure_one()
        if not self.env.user.has_group("social_debt.group_social_debt_user"):
            raise AccessError(self.env._("Checking suppliers needs the Social Debt User group."))
        partners = self._social_debt_missing()
        if partners:
            checks = self.env["social.debt.service"]._check_partners(partners, company=self.company_id)
            checks.filtered(lambda check: check.state == "answered")._ensure_proof()
        return self._reopen()

    def action_create_payments(self):
        """A supplier without a valid check is checked at this moment (for today's payments); when
        that check finds debts or fails, the dialog shows it again, with the split, before paying."""
        self.ensure_one()
        missing = self._social_debt_missing()
        if (
            missing
            and self.payment_date == brussels_today()
            and self.env.user.has_group("social_debt.group_social_debt_user")
        ):
            checks = self.env["social.debt.service"]._check_partners(missing, company=self.company_id)
            checks.filtered(lambda check: check.state == "answered")._ensure_proof()
            if any(
                check.state != "answered" or check.social_obligation or check.tax_obligation for check in checks.sudo()
            ):
                return self._reopen()
        return super().action_create_payments()

    # -- payments ------------------------------------------------------------------------------------------

    def _init_payments(self, to_process, edit_mode=False):
        extra = []
        for vals in to_process:
            extra += self._social_debt_prepare(vals)
        to_process.extend(extra)
        payments = super(AccountPaymentRegister, self.with_context(social_debt_split=SPLIT_TOKEN))._init_payments(
            to_process, edit_mode=edit_mode
        )
        for vals in to_process:
            info = vals.get("social_debt")
            if not info:
                continue
            payment = vals["payment"]
            if info.get("override"):
                body = self.env._("Paid without a valid social debt check. Reason: %(reason)s", reason=info["override"])
                vals["to_reconcile"].move_id.sudo().message_post(body=body)
                payment.sudo().message_post(body=body)
                continue
            if info.get("role") in ("rsz", "fod"):
                payment.sudo().social_debt_main_payment_id = info["main"]["payment"]
            else:
                vals["to_reconcile"].move_id._social_debt_attach_proof(info["check"])
            payment._social_debt_attach_proof(info["check"])
        return payments

    def _social_debt_prepare(self, vals):
        """Check one payment about to be created; with debts, shrink it to the supplier's share and
        return the RSZ's and the FOD's payments to create with it."""
        create_vals = vals["create_vals"]
        if create_vals.get("payment_type") != "outbound" or create_vals.get("partner_type") != "supplier":
            return []
        partner = self.env["res.partner"].browse(create_vals["partner_id"]).commercial_partner_id
        currency = self.env["res.currency"].browse(create_vals["currency_id"])
        plan = self._social_debt_plan(
            partner, vals["to_reconcile"], create_vals["amount"], create_vals["date"], currency
        )
        if plan is None:
            return []
        if plan.state == "blocked":
            reason = (self.social_debt_override_reason or "").strip()
            if not reason or not self.env.user.has_group("account.group_account_manager"):
                raise UserError(
                    self.env._(
                        "%(supplier)s falls under the art. 30bis/30ter withholding: %(reason)s. Use Check now in "
                        "this dialog (needs the Social Debt User group), or, as an accountant, give a reason to pay "
                        "without a valid check.",
                        supplier=partner.display_name,
                        reason=plan.reason,
                    )
                )
            vals["social_debt"] = {"override": reason}
            create_vals["social_debt_override_reason"] = reason
            return []
        vals["social_debt"] = {"check": plan.check, "role": "supplier"}
        create_vals["social_debt_check_id"] = plan.check.id
        if plan.state != "split":
            return []
        split = plan.split
        create_vals["social_debt_role"] = "supplier"
        create_vals["amount"] = float(split.supplier)
        bills = vals["to_reconcile"].move_id
        extra = []
        for role, amount in (("rsz", split.rsz), ("fod", split.fod)):
            if not amount:
                continue
            receiver = self.env.ref(f"social_debt.partner_{role}")
            extra.append(
                {
                    "create_vals": {
                        **{k: v for k, v in create_vals.items() if k not in ("partner_bank_id", "write_off_line_vals")},
                        "amount": float(amount),
                        "partner_id": receiver.id,
                        "partner_bank_id": self.env.ref(f"social_debt.bank_{role}").id,
                        "memo": self._social_debt_memo(role, partner, bills, plan.check, split),
                        "social_debt_role": role,
                        "social_debt_supplier_id": partner.id,
                        "social_debt_check_id": plan.check.id,
                        "write_off_line_vals": [],
                    },
                    "to_reconcile": vals["to_reconcile"],
                    "batch": vals["batch"],
                    "social_debt": {"check": plan.check, "role": role, "main": vals},
                }
            )
        return extra

    def _social_debt_memo(self, role, partner, bills, check, split):
        """The payment's communication: the RSZ's structured reference from billRetainment when the
        company uses it, else the contractor's enterprise number, the bills and the article."""
        if role == "rsz" and check.backend == "billretainment":
            return self.env["social.debt.service"]._billretainment_reference(check, bills, split)
        refs = ", ".join(bills.mapped(lambda bill: bill.ref or bill.name))
        prefix = "Art. 30bis RSZ" if role == "rsz" else "Art. 30bis FOD"
        return f"{prefix} {partner.social_debt_enterprise_number} {refs}"[:140]
