import dataclasses
import json
import re

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn, postcode

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..clients import Address, KvkError, SearchHit
from ..models.res_partner import KINDS


def hit_to_json(hit):
    return dataclasses.asdict(hit)


def hit_from_json(data):
    address = data.get("address")
    return SearchHit(**{**data, "address": Address(**address) if address else None})


class KvkSearchWizard(models.TransientModel):
    """Search register: criteria, a page of hits, then a preview of one hit.

    Every field of a wizard can be read and written by the browser, so none holds a register
    answer: the hits of the page and the values of the previewed profile stay on the server
    (:class:`KvkSearchWizardAnswer`, which no user can read), and applying writes only those.
    A line or preview row names a hit or a value; it never carries one that is written.
    """

    _name = "kvk.search.wizard"
    _description = "Search the KvK Register"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company, ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True, check_company=True)
    state = fields.Selection(
        [("search", "Criteria"), ("results", "Results"), ("preview", "Preview")], default="search", required=True
    )
    name = fields.Char(help="Trade name or statutory name; whole words.")
    kvk_number = fields.Char(string="KvK Number", size=8)
    branch_number = fields.Char(string="Vestigingsnummer", size=12)
    rsin = fields.Char(string="RSIN", size=9)
    postcode = fields.Char()
    house_number = fields.Char()
    city = fields.Char()
    street = fields.Char()
    kind = fields.Selection(KINDS, string="Type")
    include_inactive = fields.Boolean()
    page = fields.Integer(default=1)
    per_page = fields.Integer(string="Results per Page", default=10)
    total = fields.Integer(readonly=True)
    page_count = fields.Integer(readonly=True)
    line_ids = fields.One2many("kvk.search.wizard.line", "wizard_id", string="Results")
    selected_line_id = fields.Many2one("kvk.search.wizard.line", readonly=True)
    preview_ids = fields.One2many("kvk.search.wizard.preview", "wizard_id", string="Preview")
    fill_empty_only = fields.Boolean(
        string="Fill Empty Fields Only", default=True, help="Keep what the contact already holds; untick to overwrite."
    )
    message = fields.Char(readonly=True)

    # -- the server's side ------------------------------------------------------------------------

    def _check_kvk_user(self):
        if not self.env.su and not self.env.user.has_group("kvk_connector.group_kvk_user"):
            raise AccessError(self.env._("Only users of the group KvK Handelsregister / User may use the register."))

    def _in_company(self):
        """The wizard in its company's environment: that company's connection, cache, cap and log
        (a company the user may not use is refused by the ORM)."""
        self.ensure_one()
        return self.with_company(self.company_id)

    def _log_origin(self):
        """How the query log names this wizard (to link its queries to the contact it creates)."""
        self.ensure_one()
        return f"{self._name},{self.id}"

    def _answer(self):
        """The wizard's server-side answer record (created empty when missing)."""
        self.ensure_one()
        Answer = self.env["kvk.search.wizard.answer"].sudo()
        answer = Answer.search([("wizard_id", "=", self.id)], limit=1)
        return answer or Answer.create({"wizard_id": self.id, "company_id": self.company_id.id})

    # -- criteria --------------------------------------------------------------------------------

    def _criteria(self):
        """The Zoeken parameters, validated; a ``UserError`` names every wrong input."""
        self.ensure_one()
        _ = self.env._
        errors, criteria = [], {}
        self._check_numbers(criteria, errors)
        self._check_address(criteria, errors)
        for field, param in (("name", "naam"), ("city", "plaats"), ("street", "straatnaam")):
            if (self[field] or "").strip():
                criteria[param] = self[field].strip()
        if self.kind:
            criteria["type"] = [self.kind]
        if self.include_inactive:
            criteria["inclusiefInactieveRegistraties"] = True
        if not errors and not (set(criteria) - {"type", "inclusiefInactieveRegistraties"}):
            errors.append(_("Give at least a name, a number, a postcode and house number, a street or a city."))
        if not 1 <= self.per_page <= 100:
            errors.append(_("Results per page: 1 to 100."))
        if errors:
            raise UserError("\n".join(errors))
        return criteria

    def _check_numbers(self, criteria, errors):
        _ = self.env._
        kvk = (self.kvk_number or "").strip()
        if kvk:
            if not re.fullmatch(r"[0-9]{8}", kvk):
                errors.append(_("KvK number: 8 digits, not “%s”.", kvk))
            criteria["kvkNummer"] = kvk
        branch = (self.branch_number or "").strip()
        if branch:
            if not re.fullmatch(r"[0-9]{12}", branch):
                errors.append(_("Vestigingsnummer: 12 digits, not “%s”.", branch))
            criteria["vestigingsnummer"] = branch
        rsin = (self.rsin or "").strip()
        if rsin:
            if not (re.fullmatch(r"[0-9]{9}", rsin) and bsn.is_valid(rsin)):
                errors.append(_("RSIN: 9 digits passing the 11-check, not “%s”.", rsin))
            criteria["rsin"] = rsin

    def _check_address(self, criteria, errors):
        _ = self.env._
        code = (self.postcode or "").strip()
        number = (self.house_number or "").strip()
        if code:
            try:
                criteria["postcode"] = postcode.compact(postcode.validate(code))
            except StdnumError:
                errors.append(_("Postcode: a Dutch postcode such as 1234 AB, not “%s”.", code))
            if not number:
                errors.append(_("Postcode: the register searches a postcode only with a house number."))
        if number:
            if not re.fullmatch(r"[0-9]{1,5}", number):
                errors.append(_("House number: 1 to 5 digits, not “%s”.", number))
            if not code:
                errors.append(_("House number: give the postcode too."))
            criteria["huisnummer"] = number

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": self.env._("Search register"),
            "context": {**self.env.context, "dialog_size": "extra-large"},
        }

    # -- search ------------------------------------------------------------------------------------

    def action_search(self):
        self._check_kvk_user()
        self.page = 1
        return self._in_company()._run_search()

    def action_next_page(self):
        self._check_kvk_user()
        if self.page < self.page_count:
            self.page += 1
        return self._in_company()._run_search()

    def action_previous_page(self):
        self._check_kvk_user()
        if self.page > 1:
            self.page -= 1
        return self._in_company()._run_search()

    def action_back(self):
        self.write({"state": "search", "message": False, "preview_ids": [fields.Command.clear()]})
        return self._reopen()

    def action_back_to_results(self):
        self.write({"state": "results", "message": False, "preview_ids": [fields.Command.clear()]})
        return self._reopen()

    def _run_search(self):
        self.ensure_one()
        criteria = self._criteria()
        self.line_ids.unlink()
        answer = self._answer()
        answer.write({"hits_json": False, "values_json": False, "kind": False})
        service = self.env["kvk.service"]
        try:
            page = service._search_register(
                criteria, page=self.page, per_page=self.per_page, partner=self.partner_id, origin=self._log_origin()
            )
        except KvkError as error:
            self.write({"state": "search", "message": service._error_message(error), "total": 0, "page_count": 0})
            return self._reopen()
        lines = []
        for index, hit in enumerate(page.hits):
            address = hit.address
            existing = self.env["res.partner"]._kvk_find_duplicate(hit.kvk_number, hit.branch_number, kind=hit.kind)
            lines.append(
                {
                    "hit_index": index,
                    "kvk_number": hit.kvk_number,
                    "branch_number": hit.branch_number,
                    "name": hit.name,
                    "kind": hit.kind if hit.kind in dict(KINDS) else False,
                    "rsin": hit.rsin,
                    "is_shielded": hit.shielded,
                    "street": address.street if address else "",
                    "postcode": address.postcode if address else "",
                    "city": address.city if address else "",
                    "is_active": hit.active,
                    "existing_partner_id": existing.id,
                }
            )
        answer.hits_json = json.dumps([hit_to_json(hit) for hit in page.hits])
        self.write(
            {
                "state": "results",
                "message": False,
                "total": page.total,
                "page_count": page.page_count,
                "line_ids": [fields.Command.create(vals) for vals in lines],
            }
        )
        return self._reopen()

    def _hit(self, line):
        """The register's hit a result line stands for, as the server received it."""
        self.ensure_one()
        if line.wizard_id != self:
            raise UserError(self.env._("This result belongs to another search."))
        hits = json.loads(self._answer().hits_json or "[]")
        if not 0 <= line.hit_index < len(hits):
            raise UserError(self.env._("This result is no longer available: search again."))
        return hit_from_json(hits[line.hit_index])

    # -- preview and apply ---------------------------------------------------------------------------

    def _select(self, line):
        self.ensure_one()
        self._check_kvk_user()
        hit = self._hit(line)
        Partner = self.env["res.partner"]
        duplicate = Partner._kvk_find_duplicate(hit.kvk_number, hit.branch_number, self.partner_id, kind=hit.kind)
        if duplicate:
            return self._open_partner(duplicate)
        # Before a paid call: may this user write what it will bring?
        if self.partner_id:
            self.partner_id.check_access("write")
        else:
            Partner.check_access("create")
        service = self.env["kvk.service"]
        try:
            profile = service._fetch_profile(
                hit.kvk_number, hit.branch_number, hit.kind, partner=self.partner_id, origin=self._log_origin()
            )
        except KvkError as error:
            if error.code != "disabled":
                self.message = service._error_message(error)
                return self._reopen()
            profile = service._profile_from_hit(hit)
        if hit.branch_number and not profile.branch_number:
            profile.branch_number = hit.branch_number
        values = Partner._kvk_prepare_values(profile)
        previews = []
        for sequence, (key, (label, _value, shown)) in enumerate(values.items()):
            current = self.partner_id._kvk_current(key) if self.partner_id else ""
            previews.append(
                {
                    "sequence": sequence,
                    "key": key,
                    "label": label,
                    "current_value": current,
                    "register_value": shown,
                    "apply": not current or current == shown or not self.fill_empty_only,
                }
            )
        message = False
        if profile.shielded:
            message = self.env._("Shielded by the register, not written: %s", ", ".join(profile.shielded))
        self._answer().write({"values_json": json.dumps(values), "kind": hit.kind or profile.kind or False})
        self.write(
            {
                "state": "preview",
                "message": message,
                "selected_line_id": line.id,
                "preview_ids": [fields.Command.clear()] + [fields.Command.create(vals) for vals in previews],
            }
        )
        return self._reopen()

    @api.onchange("fill_empty_only")
    def _onchange_fill_empty_only(self):
        for preview in self.preview_ids:
            preview.apply = not preview.current_value or not self.fill_empty_only

    def action_apply(self):
        """Write the ticked register values to the contact, or to a new one.

        The values are the server's own copy of the previewed answer; a preview row only
        says which of them to write, and a key the answer does not hold writes nothing.
        """
        self.ensure_one()
        self._check_kvk_user()
        return self._in_company()._apply()

    def _apply(self):
        self.ensure_one()
        answer = self._answer()
        if self.state != "preview" or not answer.values_json:
            raise UserError(self.env._("Pick a result first."))
        values = {key: tuple(value) for key, value in json.loads(answer.values_json).items()}
        keys = [key for key in self.preview_ids.filtered("apply").mapped("key") if key in values]
        kvk = values.get("company_registry", ("", ""))[1]
        branch = values.get("kvk_branch_number", ("", ""))[1]
        duplicate = self.env["res.partner"]._kvk_find_duplicate(kvk, branch, self.partner_id)
        if duplicate:
            raise UserError(
                self.env._(
                    "%(partner)s already holds KvK number %(kvk)s, vestigingsnummer %(branch)s.",
                    partner=duplicate.display_name,
                    kvk=kvk,
                    branch=branch or "-",
                )
            )
        partner = self.partner_id
        if partner:
            partner.check_access("write")
        else:
            name = values.get("name", ("", "", ""))[1] or kvk
            partner = self.env["res.partner"].create({"name": name, "is_company": True})
        partner._kvk_write_register_values(values, keys, kind=answer.kind or None)
        partner._kvk_after_search(values)
        if not self.partner_id:
            self.env["kvk.service"]._link_new_partner(self._log_origin(), partner)
        answer.write({"values_json": False})
        if self.partner_id:
            # the contact's form is underneath: close the dialog, the form reloads (no second breadcrumb)
            return {"type": "ir.actions.act_window_close", "infos": {"kvk_partner_id": partner.id}}
        return self._open_partner(partner)

    def _open_partner(self, partner):
        """Show ``partner``: to the contact form that opened the search (it replaces an unsaved new
        contact by it, or reloads), else as a form of its own."""
        if self.env.context.get("kvk_form_return"):
            return {"type": "ir.actions.act_window_close", "infos": {"kvk_partner_id": partner.id}}
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": partner.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "name": partner.display_name,
        }


class KvkSearchWizardLine(models.TransientModel):
    _name = "kvk.search.wizard.line"
    _description = "KvK Search Result"

    wizard_id = fields.Many2one("kvk.search.wizard", required=True, ondelete="cascade")
    hit_index = fields.Integer(help="Which hit of the page, as the server keeps it.")
    kvk_number = fields.Char(string="KvK Number")
    branch_number = fields.Char(string="Vestigingsnummer")
    name = fields.Char()
    kind = fields.Selection(KINDS, string="Type")
    rsin = fields.Char(string="RSIN")
    is_shielded = fields.Boolean(string="Address Shielded")
    street = fields.Char()
    postcode = fields.Char()
    city = fields.Char()
    is_active = fields.Boolean(string="Active")
    existing_partner_id = fields.Many2one("res.partner", string="Already in Odoo")

    def action_select(self):
        self.ensure_one()
        return self.wizard_id._in_company()._select(self)


class KvkSearchWizardPreview(models.TransientModel):
    _name = "kvk.search.wizard.preview"
    _description = "KvK Register Value Preview"
    _order = "sequence"

    wizard_id = fields.Many2one("kvk.search.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    key = fields.Char(required=True)
    label = fields.Char(string="Field", required=True)
    current_value = fields.Char(string="Current")
    register_value = fields.Char(string="Register")
    apply = fields.Boolean(string="Write")


class KvkSearchWizardAnswer(models.TransientModel):
    """What the register answered to one search wizard: kept on the server, read by no user.

    The search's hits (a page) and the values of the previewed profile, confidential values
    included; the wizard's fields only point into it.  Removed with its wizard.
    """

    _name = "kvk.search.wizard.answer"
    _description = "KvK Register Answer of a Search"

    wizard_id = fields.Many2one("kvk.search.wizard", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    hits_json = fields.Text()
    values_json = fields.Text()
    kind = fields.Char()
