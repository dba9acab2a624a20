import json
from datetime import datetime, timezone

from odoo import api, fields, models
from odoo.tools.misc import format_datetime

from ..clients.kvk_mutaties import PRODUCTS as MUTATIE_PRODUCTS


class KvkQueryLog(models.Model):
    # apart from kvk_query_log.py on purpose: what the change signals add to the log
    _inherit = "kvk.query.log"  # pylint: disable=consider-merging-classes-inherited

    channel = fields.Selection(
        selection_add=[("signal", "Change signals"), ("import", "Profile import")],
        ondelete={"signal": "cascade", "import": "cascade"},
    )
    product = fields.Selection(
        selection_add=[(product, product.capitalize()) for product in MUTATIE_PRODUCTS],
        ondelete={product: "cascade" for product in MUTATIE_PRODUCTS},
    )

    @api.depends("product", "params")
    @api.depends_context("lang", "tz")
    def _compute_params_display(self):
        mutaties = self.filtered(lambda entry: entry.product in MUTATIE_PRODUCTS)
        result = super(KvkQueryLog, self - mutaties)._compute_params_display()
        for entry in mutaties:
            entry.params_display = entry._kvk_mutatie_params()
        return result

    def _kvk_mutatie_params(self):
        """A Mutatieservice call's parameters in words: the subscription, the time window (in the
        reader's time zone) and page, or the signal."""
        self.ensure_one()
        _ = self.env._
        try:
            args = list(json.loads(self.params or "{}").get("args") or [])
        except (AttributeError, TypeError, ValueError):
            return self.params or ""
        if self.product == "abonnementen":
            return _("Subscriptions of the API key")
        parts = [_("Subscription: %s", args[0])] if args else []
        if self.product == "signaal" and len(args) > 1:
            parts.append(_("Signal: %s", args[1]))
        elif self.product == "signalen" and len(args) >= 5:
            since, until, page, per_page = args[1:5]
            parts.append(_("from %(since)s to %(until)s", since=self._kvk_moment(since), until=self._kvk_moment(until)))
            parts.append(_("page %(page)s, %(count)s per page", page=page, count=per_page))
        return " · ".join(parts)

    def _kvk_moment(self, text):
        """A moment the call carried (UTC, as text) in the reader's time zone."""
        try:
            moment = datetime.fromisoformat(str(text))
        except ValueError:
            return str(text)
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return format_datetime(self.env, moment, tz=self.env.context.get("tz") or self.env.user.tz or "UTC")
