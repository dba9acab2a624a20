"""Where the register shows on a contact, and suggestions from it while a user types a new company's name.

The KvK button and tab show on companies that are Dutch or have no country (and on contacts already
linked to the register, whatever country their address is in), for KvK users only.

The name field of a company contact gets the widget ``kvk_partner_name``: on a new company that is
Dutch or has no country, for a KvK user whose company has a KvK connection, it asks the free
Zoeken API as the user types (from three characters) and shows KvK number, type and city of each
hit; picking one opens the search dialog's preview of that registration.  Anywhere else the field
keeps the widget it had (Odoo's partner autocomplete where that is installed).
"""

import re

from lxml import etree

from odoo import api, fields, models

from ..clients import KvkError
from .res_partner import KINDS

MIN_QUERY = 3
MAX_QUERY = 100
SUGGESTIONS = 8
NAME_WIDGET = "kvk_partner_name"


class ResPartner(models.Model):
    # apart from res_partner.py on purpose: the register's data there, its place in the screens here
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    kvk_applies = fields.Boolean(
        string="KvK Register Applies",
        compute="_compute_kvk_applies",
        help="A company that is Dutch or has no country, or one already linked to the register.",
    )

    @api.depends("is_company", "parent_id", "country_id", "kvk_linked")
    def _compute_kvk_applies(self):
        for partner in self:
            partner.kvk_applies = bool(
                partner.is_company
                and not partner.parent_id
                and (not partner.country_id or partner.country_id.code == "NL" or partner.kvk_linked)
            )

    @api.model
    def _get_view_postprocessed(self, view, arch, **options):
        """The company name field of a partner form suggests from the register (see the module's
        docstring).  Done here rather than in ``_get_view``, so that it comes after every module that
        sets a widget on the name in ``_get_view`` (partner_autocomplete does), whatever their order."""
        if isinstance(arch, etree._Element) and arch.tag == "form":
            for node in arch.xpath("//field[@name='name'][not(ancestor::field)]"):
                if node.get("widget") == NAME_WIDGET:
                    continue
                node.set("kvk_fallback", node.get("widget") or "char")
                node.set("widget", NAME_WIDGET)
        return super()._get_view_postprocessed(view, arch, **options)

    @api.model
    def kvk_suggest(self, query):
        """Registrations whose name matches ``query``, as the name field suggests them.

        Free Zoeken only, logged like every call (channel *Suggestions while typing*); never a paid
        call.  Nothing (an empty list) when the query is too short, the company has no KvK
        connection or the register fails: suggestions never stand in the way of typing.
        """
        self._kvk_check_user()
        query = re.sub(r"\s+", " ", str(query or "")).strip()[:MAX_QUERY]
        service = self.env["kvk.service"]
        if len(query) < MIN_QUERY or not service._connection_ready():
            return []
        try:
            page = service._search_register({"naam": query}, per_page=SUGGESTIONS, channel="typeahead")
        except KvkError:
            return []
        kinds = dict(self._fields["kvk_registration_kind"]._description_selection(self.env))
        suggestions = []
        for hit in page.hits:
            address = hit.address if hit.address and not hit.shielded else None
            existing = self._kvk_find_duplicate(hit.kvk_number, hit.branch_number, kind=hit.kind)
            suggestions.append(
                {
                    "name": hit.name,
                    "kvk_number": hit.kvk_number,
                    "branch_number": hit.branch_number,
                    "kind": hit.kind if hit.kind in dict(KINDS) else "",
                    "kind_label": kinds.get(hit.kind, ""),
                    "city": address.city if address else "",
                    "active": hit.active,
                    "existing_name": existing.display_name or "",
                }
            )
        return suggestions

    @api.model
    def action_kvk_suggestion_open(self, kvk_number, branch_number="", kind=""):
        """Open the preview of a picked suggestion.

        The browser names the registration; the server looks it up again (free Zoeken, KvK number
        with vestigingsnummer or type) and previews what the register answered, as when the hit is
        picked in the search dialog; a registration already in Odoo opens its contact instead.
        """
        self._kvk_check_user()
        wizard = self.env["kvk.search.wizard"].create(
            {
                "kvk_number": str(kvk_number or "").strip(),
                "branch_number": str(branch_number or "").strip(),
                "kind": kind if kind in dict(KINDS) and not branch_number else False,
            }
        )
        action = wizard.action_search()
        line = wizard.line_ids.filtered(
            lambda line: line.kvk_number == kvk_number
            and (line.branch_number or "") == (branch_number or "")
            and (not kind or line.kind == kind)
        )[:1]
        if wizard.state != "results" or not line:
            return action  # the dialog says why (or lists what the register has now)
        return line.action_select()
