import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import RedirectWarning
from odoo.http import request

POLICIES = [("off", "Off"), ("warn", "Warn"), ("block", "Block")]
ACTIVITIES = {
    # activity: the company's policy field
    "quotation": "creditcheck_alert_quotation",
    "order": "creditcheck_alert_order",
    "invoice": "creditcheck_alert_invoice",
}
BUTTON_ROUTE = "/web/dataset/call_button"

_logger = logging.getLogger(__name__)


class CreditcheckAlertMixin(models.AbstractModel):
    """Warn about or block an activity on a document whose partner has a risky CreditCheck status.

    The policy is the document's company's.  "Block" stops only a back-office user
    clicking the button of the activity; when the same activity runs on its own
    (the customer signs or pays online, the scheduled posting of invoices), a block
    becomes a note on the document and an activity for its salesperson.
    """

    _name = "creditcheck.alert.mixin"
    _description = "CreditCheck Alerts on Documents"

    creditcheck_alert = fields.Char(string="CreditCheck Alert", compute="_compute_creditcheck_alert")

    def _creditcheck_activity(self):
        """The activity this document's alert is about (for the banner)."""
        return "order"

    def _creditcheck_policy(self, activity):
        company = self.company_id if "company_id" in self._fields and len(self) == 1 else self.env.company
        return (company or self.env.company).sudo()[ACTIVITIES[activity]] or "warn"

    def _creditcheck_risky(self, record_activity=None):
        """The records whose partner is risky at their company's alert level and whose policy is not off."""
        return self.filtered(
            lambda record: record.partner_id
            and record._creditcheck_policy(record_activity or record._creditcheck_activity()) != "off"
            and record.partner_id._creditcheck_is_risky(record.company_id or None)
        )

    @api.depends("partner_id", "company_id")
    def _compute_creditcheck_alert(self):
        risky = self._creditcheck_risky()
        for record in self:
            record.creditcheck_alert = (
                record._creditcheck_message(record.partner_id.commercial_partner_id) if record in risky else False
            )

    def _creditcheck_message(self, partner):
        names = dict(partner._fields["creditcheck_state"]._description_selection(self.env))
        state = names.get(partner.creditcheck_state, partner.creditcheck_state)
        if partner.creditcheck_record_id:
            text = self.env._(
                "CreditCheck shows %(partner)s as %(state)s (record %(record)s).",
                partner=partner.name,
                state=state,
                record=partner.creditcheck_record_id,
            )
        else:
            text = self.env._("CreditCheck shows %(partner)s as %(state)s.", partner=partner.name, state=state)
        if partner.creditcheck_defunct:
            text += " " + self.env._("The subject is defunct.")
        return text

    def _creditcheck_interactive(self, method):
        """True when ``method`` runs because a back-office user clicked its button on these records.

        That is a ``call_button`` request for this model and method by an internal
        user without superuser rights; the portal (signature, payment) and
        scheduled jobs call the same methods as superuser or outside any request.
        """
        if self.env.su or not self.env.user._is_internal():
            return False
        try:
            httprequest = request.httprequest
            params = request.params
        except (AttributeError, RuntimeError):
            return False  # no request: a scheduled job or a shell
        return (
            httprequest.path.startswith(BUTTON_ROUTE)
            and params.get("model") == self._name
            and params.get("method") == method
        )

    def _creditcheck_responsible(self):
        """Who is told about a document's CreditCheck alert: its salesperson, else the partner's."""
        self.ensure_one()
        return self.user_id or self.partner_id.commercial_partner_id.user_id

    def _creditcheck_label(self, activity):
        return {
            "quotation": self.env._("sending a quotation"),
            "order": self.env._("confirming a sale order"),
            "invoice": self.env._("posting a customer invoice"),
        }[activity]

    def _creditcheck_check(self, activity, method):
        """Before ``method``: post a warning, block a back-office user (override with a reason), or tell."""
        risky = self._creditcheck_risky(activity)
        if not risky:
            return
        reason = (self.env.context.get("creditcheck_override_reason") or "").strip()
        blocked = risky.filtered(lambda record: record._creditcheck_policy(activity) == "block")
        if blocked and not reason and self._creditcheck_interactive(method):
            message = (
                "\n".join(self._creditcheck_message(record.partner_id.commercial_partner_id) for record in blocked)
                + "\n"
                + self.env._(
                    "CreditCheck alerts block %s. An override needs a reason.", self._creditcheck_label(activity)
                )
            )
            block = RedirectWarning(
                message,
                self.env.ref("creditcheck_semaphore.creditcheck_override_wizard_action").id,
                self.env._("Override with a reason"),
                additional_context={
                    "default_res_model": self._name,
                    "default_res_ids": ",".join(str(record_id) for record_id in self.ids),
                    "default_method": method,
                    "default_activity": activity,
                },
            )
            # An expected stop the user sees and answers, not a server error: Odoo's request
            # handler logs an exception with a ``loglevel`` at that level, without a traceback
            # (odoo.http.Application.__call__); this line says what happened instead.
            block.loglevel = logging.DEBUG
            _logger.info(
                "CreditCheck alert stopped %s on %s %s for user %s (override with a reason offered)",
                activity,
                self._name,
                blocked.ids,
                self.env.uid,
            )
            raise block
        for record in risky:
            if reason:
                record._creditcheck_note("override", activity, reason)
            elif record in blocked:
                record._creditcheck_note("unattended", activity)
            else:
                record._creditcheck_note("warning", activity)

    def _creditcheck_note(self, kind, activity, reason=None):
        """A chatter note about the alert; when a block met no user, an activity too.

        The unattended note and its activity are in the language of the document's
        salesperson, who reads them; the others in the language of the user who acts.
        """
        self.ensure_one()
        responsible = self._creditcheck_responsible()
        record = self.with_context(lang=responsible.lang or self.env.lang) if kind == "unattended" else self
        env = record.env
        label = record._creditcheck_label(activity)
        if kind == "override":
            note = env._("CreditCheck block overridden when %(label)s: %(reason)s", label=label, reason=reason)
        elif kind == "unattended":
            note = env._(
                "CreditCheck would block %s; it went ahead without a user (online signature or payment, scheduled "
                "posting). Please check this document.",
                label,
            )
        else:
            note = env._("CreditCheck warning when %s.", label)
        text = record._creditcheck_message(record.partner_id.commercial_partner_id)
        body = Markup("<p>%s</p><p>%s</p>") % (note, text)
        record.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        if kind == "unattended" and responsible:
            record.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=env._("CreditCheck: check %s", record.display_name),
                note=body,
                user_id=responsible.id,
            )
