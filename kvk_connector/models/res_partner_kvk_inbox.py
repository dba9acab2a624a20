"""Contacts followed for register changes: enrolment, the register store and the review inbox."""

import re

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from ..clients import kvk_date
from .res_partner import CONFIDENTIAL_KEYS, KVK_NUMBER

KVK_MANAGER_GROUP = "kvk_connector.group_kvk_manager"


def _text(value):
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


def _website(value):
    return re.sub(r"^https?://(www\.)?", "", _text(value)).rstrip("/")


def _digits(value):
    return re.sub(r"[^0-9]", "", str(value or ""))


class ResPartner(models.Model):
    # apart from res_partner.py on purpose: following registrations, the register store and the inbox
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    kvk_enrolment_ids = fields.One2many("kvk.enrolment", "partner_id", string="KvK Enrolments", readonly=True)
    kvk_enrolled = fields.Boolean(
        string="Following Register Changes",
        compute="_compute_kvk_enrolled",
        search="_search_kvk_enrolled",
        help="The company you work in follows this contact's registration for KvK change signals.",
    )
    kvk_review_count = fields.Integer(compute="_compute_kvk_review_count", string="KvK Review Items")

    @api.depends("kvk_enrolment_ids.state", "kvk_enrolment_ids.company_id")
    @api.depends_context("company")
    def _compute_kvk_enrolled(self):
        company = self.env.company
        for partner in self:
            partner.kvk_enrolled = any(
                e.state == "active" and e.company_id == company for e in partner.sudo().kvk_enrolment_ids
            )

    def _search_kvk_enrolled(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Search on following register changes with = or != only."))
        query = (
            self.env["kvk.enrolment"]
            .sudo()
            ._search([("state", "=", "active"), ("company_id", "=", self.env.company.id)])
        )
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", query.subselect("partner_id"))]

    def _compute_kvk_review_count(self):
        Review = self.env["kvk.review"]
        if not Review.has_access("read"):
            self.kvk_review_count = 0
            return
        groups = Review._read_group(
            [("partner_id", "in", self.ids), ("to_review", "=", True)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.kvk_review_count = counts.get(partner.id, 0)

    # -- access -----------------------------------------------------------------------------------

    def _kvk_check_manager(self):
        if not self.env.su and not self.env.user.has_group(KVK_MANAGER_GROUP):
            raise AccessError(self.env._("Only KvK Handelsregister administrators may do this."))

    # -- enrolment ----------------------------------------------------------------------------------

    def _kvk_registration(self):
        """(KvK number, vestigingsnummer or "") that this contact follows: a side branch by its
        vestigingsnummer, a company or main branch by its KvK number."""
        self.ensure_one()
        kind = self.kvk_registration_kind or ("nevenvestiging" if self.kvk_branch_number else "")
        branch = self.kvk_branch_number if kind == "nevenvestiging" and self.kvk_branch_number else ""
        return (self.company_registry or "").strip(), branch or ""

    def _kvk_enrolments(self, company=None):
        company = company or self.env.company
        return (
            self.env["kvk.enrolment"]
            .sudo()
            .search([("partner_id", "in", self.ids), ("company_id", "=", company.id), ("state", "=", "active")])
        )

    def _kvk_enrol(self, source="search", profile=None, company=None):
        """Follow this contact's registration for ``company`` (the environment's by default); an
        enrolment of another registration (the KvK number changed) ends.  Returns the enrolment,
        or an empty recordset when the contact has no KvK number."""
        self.ensure_one()
        company = company or self.env.company
        kvk, branch = self._kvk_registration()
        Enrolment = self.env["kvk.enrolment"].sudo()
        if not KVK_NUMBER.fullmatch(kvk) or (self.commercial_partner_id != self and self.parent_id):
            return Enrolment
        current = self._kvk_enrolments(company)
        if current and (current.kvk_number, current.branch_number or "") == (kvk, branch):
            return current
        current._end("unlinked")
        return Enrolment.create(
            {
                "company_id": company.id,
                "partner_id": self.id,
                "partner_name": self.name,
                "kvk_number": kvk,
                "branch_number": branch or False,
                "source": source,
                "profile_id": profile.id if profile else False,
            }
        )

    def _kvk_enrol_move(self, company, new_kvk_number):
        """The contact moved to another registration (continuation, transfer): follow that one."""
        self.ensure_one()
        self._kvk_enrolments(company)._end("moved")
        if new_kvk_number and self.company_registry != new_kvk_number:
            return self.env["kvk.enrolment"].sudo()
        return self._kvk_enrol(source="review", company=company)

    def action_kvk_enrol(self):
        """Follow the register changes of the selected companies (their KvK number, and vestigingsnummer
        for a side branch), for the company you work in."""
        self._kvk_check_user()
        self.check_access("read")
        enrolled = already = skipped = 0
        for partner in self:
            if partner._kvk_enrolments():
                already += 1
            elif partner.kvk_applies and partner._kvk_enrol(source="bulk"):
                enrolled += 1
            else:  # as the KvK tab: Dutch companies, companies without a country and linked ones only
                skipped += 1
        message = self.env._(
            "%(enrolled)s contacts now follow register changes, %(already)s did already, "
            "%(skipped)s are no Dutch company with a KvK number (8 digits) of its own.",
            enrolled=enrolled,
            already=already,
            skipped=skipped,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("KvK updates"),
                "message": message,
                "type": "success" if enrolled else "warning",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_kvk_end_enrolment(self):
        """Stop following this contact's register changes (for the company you work in)."""
        self._kvk_check_user()
        self.check_access("write")
        self._kvk_enrolments()._end("manual")
        return True

    def action_kvk_reviews(self):
        self.ensure_one()
        self.env["kvk.review"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("kvk_connector.kvk_review_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"search_default_to_review": 1}
        return action

    # -- what ends an enrolment -----------------------------------------------------------------------

    def write(self, vals):
        if vals.get("active") is False:
            self.filtered("active")._kvk_all_enrolments()._end("archived")
        if "company_registry" in vals and not self.env.context.get("kvk_move"):
            changed = self.filtered(lambda p: (p.company_registry or "") != (vals["company_registry"] or ""))
            changed._kvk_all_enrolments()._end("unlinked")
        return super().write(vals)

    def unlink(self):
        self._kvk_all_enrolments()._end("deleted")
        return super().unlink()

    def _kvk_all_enrolments(self):
        if not self.ids:
            return self.env["kvk.enrolment"].sudo()
        return self.env["kvk.enrolment"].sudo().search([("partner_id", "in", self.ids), ("state", "=", "active")])

    # -- comparing with the register ------------------------------------------------------------------

    @api.model
    def _kvk_country(self, code):
        if not code:
            return self.env["res.country"]
        return self.env["res.country"].browse(self._kvk_country_id(code.upper()))

    @api.model
    @tools.ormcache("code")
    def _kvk_country_id(self, code):
        return self.env["res.country"].sudo().search([("code", "=", code)], limit=1).id or None

    def _kvk_raw(self, key):
        """The contact's value of a register key in a form that compares alike in every language."""
        self.ensure_one()
        if key in CONFIDENTIAL_KEYS:
            return bool(self.sudo()[key])
        if key == "kvk_postal_address":
            child = self._kvk_postal_child()
            return [child.street or "", child.zip or "", child.city or ""] if child else None
        value, kind = self[key], self._fields[key].type
        if kind == "many2one":
            return value.id or None
        if kind in ("many2many", "one2many"):
            return sorted(value.ids)
        if kind in ("date", "datetime"):
            return value.isoformat() if value else None
        return value if value not in (None, False) else None

    def _kvk_same(self, key, value):
        """Whether the contact already holds the register's ``value`` of ``key``."""
        self.ensure_one()
        if key in CONFIDENTIAL_KEYS:
            return (self.sudo()[key] or "") == (value or "")
        if key == "kvk_postal_address":
            child = self._kvk_postal_child()
            value = value or {}
            return bool(child) and all(
                _text(child[name]) == _text(value.get(name)) for name in ("street", "zip", "city")
            )
        if key == "country_id":
            return self.country_id.id == value
        if key == "kvk_sbi_id":
            code, _description, version = (list(value) + ["", "", ""])[:3]
            return self.kvk_sbi_id.code == code and (not version or self.kvk_sbi_id.version == version)
        if key == "kvk_sbi_ids":
            return sorted(self.kvk_sbi_ids.mapped("code")) == sorted(item[0] for item in value or [])
        if key.startswith("kvk_employees"):
            return (self[key] or 0) == (value or 0)
        if key == "website":
            return _website(self.website) == _website(value)
        if key == "phone":
            return _digits(self.phone)[-9:] == _digits(value)[-9:] and bool(_digits(self.phone)) == bool(value)
        return _text(self[key]) == _text(value)

    # -- the register store -------------------------------------------------------------------------------

    def _kvk_refresh_apply(self, profile):
        """The weekly refresh keeps what the register says in the register store and proposes what changed:
        fields its company applies automatically are written, the others wait in the KvK inbox."""
        self.ensure_one()
        kvk, branch = self._kvk_registration()
        kvk = kvk or profile.kvk_number
        values = self._kvk_prepare_values(profile)
        Entry = self.env["kvk.register.entry"].sudo()
        entry = Entry._kvk_entry(kvk, branch)
        changes = entry._kvk_record(values, "refresh")
        Review = self.env["kvk.review"].sudo()
        ended = "kvk_end_raw" in changes.mapped("key") and profile.end_raw and profile.end_raw != "00000000"
        if ended:  # the registration ended: that is what to review, not its other changes
            entry.sudo().write({"ended": True, "end_date": profile.end_date or False})
            Review._kvk_propose_deleted(self, entry, "refresh")
        else:
            Review._kvk_propose(self, entry, changes.mapped("key"), "refresh")
        done = {"kvk_last_update": fields.Datetime.now()}
        if not self.kvk_registration_kind and (profile.kind or self.kvk_linked):
            done["kvk_registration_kind"] = profile.kind or False
        if not self.kvk_company_id:
            done["kvk_company_id"] = self.env.company.id
        self.write(done)
        return super()._kvk_refresh_apply(profile)

    def _kvk_after_search(self, prepared):
        """A user linked this contact through "Search register": follow its registration, and keep the
        register's answer (``prepared``, from ``_kvk_prepare_values``) in the store, so that the next
        signal or refresh compares with it."""
        self.ensure_one()
        enrolment = self._kvk_enrol(source="search")
        if enrolment:
            kvk, branch = self._kvk_registration()
            entry = self.env["kvk.register.entry"].sudo()._kvk_entry(kvk, branch)
            entry._kvk_record(prepared, "search")
        return enrolment

    @api.model
    def _kvk_import_vals(self, profile, company, sbi, now):
        """The values of a contact created from a bulk-file row (a :class:`clients.Profile`), linked and
        kept by ``company``; ``sbi``: (code, edition) -> SBI activity id."""
        values = self._kvk_prepare_values(profile)
        vals = {
            "is_company": True,
            "company_id": company.id,
            "kvk_linked": True,
            "kvk_registration_kind": profile.kind or False,
            "kvk_company_id": company.id,
            "kvk_last_update": now,
        }
        for key, (_label, value, _shown) in values.items():
            if key in ("kvk_postal_address", *CONFIDENTIAL_KEYS):
                continue
            if key == "kvk_sbi_id":
                value = sbi.get((value[0], value[2]))
            elif key == "kvk_sbi_ids":
                value = [fields.Command.set([sbi[(a[0], a[2])] for a in value if (a[0], a[2]) in sbi])]
            elif key in ("kvk_founding_raw", "kvk_end_raw"):  # as _kvk_write_register_values writes them
                vals[key.replace("_raw", "_date")] = kvk_date(value)[1] or False
            vals[key] = value
        return vals
