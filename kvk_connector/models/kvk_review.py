import json
import logging
import zlib

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from .kvk_dates import readable_for
from .kvk_register_entry import IDENTITY_KEYS, ORIGINS, labelled, register_labels, shown_for
from .res_partner import CONFIDENTIAL_KEYS

_logger = logging.getLogger(__name__)

DIGEST_LOCK = zlib.crc32(b"kvk_connector.digest") & 0x7FFFFFFF

KINDS = [("update", "Update"), ("move", "Moved registration"), ("deleted", "Deleted"), ("new", "New")]
STATES = [
    ("new", "New"),
    ("partial", "Partially applied"),
    ("applied", "Applied"),
    ("rejected", "Rejected"),
    ("superseded", "Superseded"),
]
LINE_STATES = [
    ("pending", "To review"),
    ("applied", "Applied"),
    ("rejected", "Rejected"),
    ("superseded", "Superseded"),
]
OPEN_STATES = ("new", "partial")
# The order in which a review shows the register's fields.
KEY_ORDER = [
    "company_registry",
    "kvk_branch_number",
    "name",
    "kvk_statutory_name",
    "kvk_trade_names",
    "kvk_legal_form",
    "kvk_rsin",
    "street",
    "zip",
    "city",
    "country_id",
    "kvk_postal_address",
    "phone",
    "website",
    "kvk_sbi_id",
    "kvk_sbi_ids",
    "kvk_employees",
    "kvk_employees_full",
    "kvk_employees_part",
    "kvk_founding_raw",
    "kvk_end_raw",
]
END_KEYS = ("kvk_end_raw",)


def ordered(keys):
    rank = {key: index for index, key in enumerate(KEY_ORDER)}
    return sorted(dict.fromkeys(keys), key=lambda key: (rank.get(key, len(rank)), key))


class KvkReview(models.Model):
    """One item of the KvK inbox: what the register changed for one contact (an update, a move to
    another registration, a deletion), or a new registration that matches a profile.

    Lines hold each field: the contact's value when proposed, the register's old and new value.
    Accepting writes through ``res.partner._kvk_write_register_values`` and posts in the chatter;
    a line is applied once, and a contact that changed meanwhile shows a conflict instead of
    being overwritten."""

    _name = "kvk.review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "KvK Review Item"
    _order = "id desc"
    # reviewers read items (every change goes through the action methods) and post on them
    _mail_post_access = "read"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    state = fields.Selection(STATES, default="new", required=True, readonly=True, index=True, tracking=True)
    to_review = fields.Boolean(default=True, readonly=True, index=True, help="Lines wait for a decision.")
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True, index=True, check_company=True)
    entry_id = fields.Many2one("kvk.register.entry", string="Register Entry", readonly=True, check_company=True)
    profile_id = fields.Many2one("kvk.profile", string="Profile", readonly=True, index=True, check_company=True)
    kvk_number = fields.Char(string="KvK Number", readonly=True, index=True)
    branch_number = fields.Char(string="Vestigingsnummer", readonly=True)
    new_kvk_number = fields.Char(string="New KvK Number", readonly=True)
    origin = fields.Selection(ORIGINS, readonly=True)
    signal_ids = fields.Many2many("kvk.signal", string="Signals", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", tracking=True, index=True)
    line_ids = fields.One2many("kvk.review.line", "review_id", string="Fields", readonly=True)
    summary_json = fields.Text(readonly=True, help="What the signals said beyond the fields, as parts.")
    summary = fields.Text(compute="_compute_summary", help="What the signals said beyond the fields.")
    values_json = fields.Text(readonly=True, help="The register's values when proposed.")
    conflict = fields.Boolean(compute="_compute_conflict", string="Contact Changed Meanwhile")
    pending_count = fields.Integer(compute="_compute_conflict", string="Fields to Review")
    superseded_by_id = fields.Many2one("kvk.review", string="Superseded By", readonly=True)
    decided_by = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)

    @api.depends("partner_id", "kvk_number", "entry_id.name")
    def _compute_name(self):
        for item in self:
            who = item.partner_id.display_name or item.entry_id.name or ""
            item.name = f"{who} ({item.kvk_number})" if who and item.kvk_number else who or item.kvk_number or ""

    @api.depends("summary_json")
    @api.depends_context("lang")
    def _compute_summary(self):
        for item in self:
            item.summary = item._kvk_summary_text(json.loads(item.summary_json or "[]")) or False

    def _kvk_summary_text(self, parts):
        """The parts of a summary (a termination, a legal-form change, a continuation) in the reader's
        language; a part may leave out a date, a reason or a legal form."""
        _ = self.env._
        lines = []
        for kind, values in parts:
            if kind == "ended":
                date = readable_for(self.env, values.get("date")) if values.get("date") else ""
                reason = values.get("reason")
                if date and reason:
                    lines.append(_("The registration ended on %(date)s: %(reason)s", date=date, reason=reason))
                elif date:
                    lines.append(_("The registration ended on %(date)s.", date=date))
                elif reason:
                    lines.append(_("The registration ended: %(reason)s", reason=reason))
                else:
                    lines.append(_("The registration ended."))
            elif kind == "legal_form":
                old, new = values.get("old"), values.get("new")
                if old and new:
                    lines.append(_("Legal form changed from %(old)s to %(new)s.", old=old, new=new))
                elif new:
                    lines.append(_("Legal form changed to %(new)s.", new=new))
                else:
                    lines.append(_("The legal form changed."))
            elif kind == "continued":
                if values.get("reason"):
                    lines.append(
                        _(
                            "Continued by KvK number %(new)s (%(reason)s): move the contact to the new registration.",
                            new=values.get("new"),
                            reason=values["reason"],
                        )
                    )
                else:
                    lines.append(
                        _(
                            "Continued by KvK number %(new)s: move the contact to the new registration.",
                            new=values.get("new"),
                        )
                    )
        return "\n".join(lines)

    @api.depends("line_ids.state", "line_ids.conflict")
    def _compute_conflict(self):
        for item in self:
            pending = item.line_ids.filtered(lambda line: line.state == "pending")
            item.pending_count = len(pending)
            item.conflict = any(pending.mapped("conflict"))

    def write(self, vals):
        # decisions go through the action methods; an administrator may only hand an item to someone else
        if not self.env.su:
            self.check_access("write")
        if not self.env.su and set(vals) - {"user_id", "message_main_attachment_id"}:
            raise UserError(self.env._("A review item changes only by accepting or rejecting it."))
        if "user_id" in vals and not self.env.su:
            for item in self:
                item.sudo().activity_unlink(["mail.mail_activity_data_todo"])
            result = super().write(vals)
            self.sudo()._kvk_schedule()
            return result
        return super().write(vals)

    # -- creating items (the register connection, with sudo) ------------------------------------------

    @api.model
    def _kvk_responsible(self, partner=None, profile=None):
        """Who reviews: the contact's salesperson when they are a KvK user of this company, else the
        profile's responsible, else the company's reviewer."""
        company = self.env.company
        for user in ((partner.user_id if partner else None), (profile.user_id if profile else None)):
            if user and user.active and company in user.company_ids and user.has_group("kvk_connector.group_kvk_user"):
                return user
        return company.kvk_review_user_id

    def _kvk_schedule(self):
        """An activity for the responsible user, in their language."""
        for item in self.filtered("user_id"):
            user = item.user_id
            lang = user.lang or self.env.lang
            summary = item.with_context(lang=lang).env._("Review register changes")
            item.with_context(lang=lang, mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_todo", user_id=user.id, summary=summary
            )

    @api.model
    def _kvk_last_decisions(self, partner, keys):
        """key -> the contact's latest decided line of that key (applied or rejected)."""
        lines = (
            self.env["kvk.review.line"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id), ("key", "in", list(keys)), ("state", "in", ("applied", "rejected"))],
                order="decided_at desc, id desc",
            )
        )
        latest = {}
        for line in lines:
            latest.setdefault(line.key, line)
        return latest

    @api.model
    def _kvk_open_items(self, partner, kinds=("update", "move")):
        """The contact's open items that a new item of ``kinds`` replaces (a deletion replaces updates
        too; an update never replaces a deletion, which waits on its own)."""
        return self.sudo().search(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "=", partner.id),
                ("kind", "in", list(kinds)),
                ("state", "in", OPEN_STATES),
            ]
        )

    @api.model
    def _kvk_propose(self, partner, entry, keys, origin, signals=None, kind="update", summary="", new_kvk_number=""):
        """Compare what the register says (``entry``) with the contact for ``keys`` (the fields the
        register changed), apply the fields its company applies automatically, and put the rest in
        one review item; returns (item or empty, keys applied).

        A field is left out when the contact already holds the register's value, or when the
        contact's users rejected exactly this value before.  Open items of the contact are
        superseded by the new one, which takes over their undecided fields."""
        company = self.env.company
        partner = partner.with_context(lang=partner._kvk_recipient_lang())
        values = entry._all_values()
        open_items = self._kvk_open_items(partner)
        carried = open_items.line_ids.filtered(lambda line: line.state == "pending").mapped("key")
        wanted = ordered([*keys, *carried])
        if kind == "move":
            wanted = ordered([*values, *wanted])
        latest = self._kvk_last_decisions(partner, wanted)
        auto, review = [], []
        for key in wanted:
            if key not in values:
                continue
            if key in IDENTITY_KEYS and kind != "move":
                continue
            if key in END_KEYS:  # an end is a deletion: it waits in the Deleted tab
                continue
            value = values[key][0]
            if partner._kvk_same(key, value):
                continue
            decided = latest.get(key)
            if decided and decided.state == "rejected" and decided._value() == value:
                continue
            if key in CONFIDENTIAL_KEYS:
                auto.append(key)
            elif kind == "move":
                review.append(key)
            elif company._kvk_apply_mode(key) == "review" and partner._kvk_current(key):
                review.append(key)
            else:  # applied automatically, or a field the contact leaves empty: nothing of it is lost
                auto.append(key)
        if auto:
            kind_of = partner.kvk_registration_kind or None
            partner._kvk_write_register_values(labelled(partner.env, values), auto, kind=kind_of)
        if kind == "move" and "company_registry" not in review:
            review = []
        if not review or (kind == "update" and not set(review) & set(keys)):
            return self.browse(), auto  # nothing new to review: an open item keeps what it holds
        return self._kvk_create_item(
            partner, entry, values, review, origin, signals, kind, summary, new_kvk_number, open_items
        ), auto

    @api.model
    def _kvk_propose_deleted(self, partner, entry, origin, signals=None, summary=""):
        """The registration ended: an item in the Deleted tab (the contact is marked only on accepting)."""
        partner = partner.with_context(lang=partner._kvk_recipient_lang())
        values = entry._all_values()
        keys = [key for key in END_KEYS if key in values]
        if not keys or partner.kvk_former and all(partner._kvk_same(key, values[key][0]) for key in keys):
            return self.browse()
        open_items = self._kvk_open_items(partner, ("update", "move", "deleted"))
        return self._kvk_create_item(partner, entry, values, keys, origin, signals, "deleted", summary, "", open_items)

    @api.model
    def _kvk_propose_new(self, profile, entry, signals=None, summary=""):
        """A new registration that matches ``profile``: an item in the New tab, once per profile."""
        values = entry._values()
        keys = [key for key in ordered(values) if key not in END_KEYS]
        Item = self.with_context(lang=profile.company_id.partner_id.lang or self.env.lang)
        return Item._kvk_create_item(
            self.env["res.partner"], entry, values, keys, "signal", signals, "new", summary, "", self.browse(), profile
        )

    @api.model
    def _kvk_create_item(self, partner, entry, values, keys, origin, signals, kind, summary, new_kvk_number,
                         superseding, profile=None):  # fmt: skip
        lines = []
        for sequence, key in enumerate(keys):
            value, shown = values[key]
            history = entry.history_ids.filtered(lambda change, key=key: change.key == key)[:1]
            lines.append(
                fields.Command.create(
                    {
                        "sequence": sequence,
                        "key": key,
                        "current_value": partner._kvk_current(key) if partner else "",
                        "current_raw": json.dumps(partner._kvk_raw(key)) if partner else False,
                        "register_old": history.old_shown or "" if history else "",
                        "register_old_json": history.old_json or False if history else False,
                        "register_new": shown,
                        "value_json": json.dumps(value),
                    }
                )
            )
        user = self._kvk_responsible(partner=partner or None, profile=profile)
        public = {key: value for key, value in values.items() if key not in CONFIDENTIAL_KEYS}
        item = self.sudo().create(
            {
                "company_id": self.env.company.id,
                "kind": kind,
                "partner_id": partner.id or False,
                "entry_id": entry.id,
                "profile_id": profile.id if profile else False,
                "kvk_number": entry.kvk_number,
                "branch_number": entry.branch_number or False,
                "new_kvk_number": new_kvk_number or False,
                "origin": origin,
                "signal_ids": [fields.Command.set(signals.ids)] if signals else False,
                "user_id": user.id or False,
                "summary_json": json.dumps(summary) if summary else False,
                "values_json": json.dumps(public, sort_keys=True),
                "line_ids": lines,
            }
        )
        if superseding:
            superseding.line_ids.filtered(lambda line: line.state == "pending").write({"state": "superseded"})
            superseding.write({"state": "superseded", "to_review": False, "superseded_by_id": item.id})
            superseding.activity_unlink(["mail.mail_activity_data_todo"])
        item._kvk_schedule()
        return item

    # -- deciding (users) ----------------------------------------------------------------------------

    def _kvk_check_reviewer(self):
        self.env["res.partner"]._kvk_check_user()

    def _kvk_lock(self):
        """One decision at a time per item: a second one waits, then sees what the first decided."""
        self.env.flush_all()
        self.env.cr.execute("SELECT id FROM kvk_review WHERE id IN %s FOR UPDATE", [tuple(self.ids)])
        self.invalidate_recordset()
        self.line_ids.invalidate_recordset()

    def action_accept(self):
        """Accept every field still to review (Deleted: mark the contact as former; New: create it)."""
        self._kvk_check_reviewer()
        self._kvk_lock()
        for item in self:
            item._kvk_check_open()
            if item.kind == "new":
                item._kvk_accept_new()
            elif item.kind == "deleted":
                item._kvk_accept_deleted()
            else:
                item._kvk_apply(item.line_ids.filtered(lambda line: line.state == "pending"))
        return self._kvk_after_decision()

    def action_reject(self):
        """Reject every field still to review; a rejected value is not proposed again until the register
        changes it again (New: the registration is not offered again for this profile)."""
        self._kvk_check_reviewer()
        self._kvk_lock()
        for item in self:
            item._kvk_check_open()
            item._kvk_reject(item.line_ids.filtered(lambda line: line.state == "pending"))
        return self._kvk_after_decision()

    def _kvk_after_decision(self):
        if len(self) == 1 and self.kind == "new" and self.partner_id and self.state == "applied":
            return {
                "type": "ir.actions.act_window",
                "res_model": "res.partner",
                "res_id": self.partner_id.id,
                "view_mode": "form",
                "target": "current",
            }
        return True

    def _kvk_check_open(self):
        self.ensure_one()
        if self.state not in OPEN_STATES or not self.line_ids.filtered(lambda line: line.state == "pending"):
            raise UserError(self.env._("This review item has been decided already (%s).", self._state_label()))

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env)).get(self.state, self.state)

    def _kvk_values(self):
        """The register's values as proposed: {key: (label, value, shown)} in the user's language."""
        self.ensure_one()
        return labelled(self.env, json.loads(self.values_json or "{}"))

    def _kvk_apply(self, lines, force=False):
        """Write ``lines`` (pending ones of this item) to the contact; a line whose field the contact
        changed since it was proposed is marked as a conflict and not written, unless ``force``."""
        self.ensure_one()
        partner = self.partner_id
        if not partner:
            raise UserError(self.env._("The contact of this review item no longer exists."))
        partner.check_access("write")
        values = self._kvk_values()
        write, already, conflicts = [], self.env["kvk.review.line"], self.env["kvk.review.line"]
        for line in lines.filtered(lambda line: line.state == "pending"):
            value = line._value()
            if partner._kvk_same(line.key, value):
                already |= line
                continue
            if not force and line.current_raw and json.dumps(partner._kvk_raw(line.key)) != line.current_raw:
                conflicts |= line
                line.sudo().write({"conflict": True, "conflict_value": partner._kvk_current(line.key)})
                continue
            write.append(line)
        keys = [line.key for line in write]
        if keys:
            writer = partner.with_context(kvk_move=self.kind == "move")
            writer._kvk_write_register_values(values, keys, kind=partner.kvk_registration_kind or None)
        done = already | self.env["kvk.review.line"].browse([line.id for line in write])
        done.sudo().write(
            {"state": "applied", "conflict": False, "decided_by": self.env.uid, "decided_at": fields.Datetime.now()}
        )
        if self.kind == "move" and "company_registry" in done.mapped("key"):
            partner._kvk_enrol_move(self.company_id, self.new_kvk_number or self.kvk_number)
        self._kvk_update_state()
        if done:
            rows = Markup("").join(
                Markup("<li>%s: %s</li>") % (escape(line.label), escape(line.register_new_display or ""))
                for line in done
            )
            self.message_post(body=Markup("%s<ul>%s</ul>") % (self.env._("Accepted:"), rows))
        if conflicts:
            self.message_post(
                body=self.env._(
                    "Not written, the contact changed since this was proposed: %s",
                    ", ".join(conflicts.mapped("label")),
                )
            )
        return done

    def _kvk_reject(self, lines):
        self.ensure_one()
        pending = lines.filtered(lambda line: line.state == "pending")
        pending.sudo().write({"state": "rejected", "decided_by": self.env.uid, "decided_at": fields.Datetime.now()})
        self._kvk_update_state()
        if pending:
            self.message_post(body=self.env._("Rejected: %s", ", ".join(pending.mapped("label"))))
        return pending

    def _kvk_update_state(self):
        """new, partially applied, applied or rejected, from what was decided of the lines."""
        for item in self:
            lines = item.line_ids
            pending = lines.filtered(lambda line: line.state == "pending")
            applied = lines.filtered(lambda line: line.state == "applied")
            rejected = lines.filtered(lambda line: line.state == "rejected")
            if pending:
                state = "partial" if applied or rejected else "new"
            elif applied and rejected:
                state = "partial"
            else:
                state = "applied" if applied or not rejected else "rejected"
            values = {"state": state, "to_review": bool(pending)}
            if not pending:
                values.update({"decided_by": self.env.uid, "decided_at": fields.Datetime.now()})
            item.sudo().write(values)
            if not pending:
                item.sudo().activity_feedback(["mail.mail_activity_data_todo"], feedback=item._state_label())

    def _kvk_accept_deleted(self):
        """The registration ended: the contact becomes a former organisation (and archived where the
        company's setting says so); its enrolment ends."""
        self.ensure_one()
        partner = self.partner_id
        done = self._kvk_apply(self.line_ids, force=True)
        if done or not self.line_ids.filtered(lambda line: line.state == "pending"):
            partner._kvk_enrolments(self.company_id)._end("ended")
            if self.company_id.kvk_archive_ended and partner.active:
                partner.action_archive()

    def _kvk_accept_new(self):
        """Create the company of a new registration, enrolled; a contact that already holds the
        registration is enrolled instead of duplicated: one with its KvK number and the
        vestigingsnummer of its main branch, else one that stands for the legal entity (as in
        "Search register": a contact with the KvK number only, or linked to its main branch)."""
        self.ensure_one()
        Partner = self.env["res.partner"].with_company(self.company_id)
        values = self._kvk_values()
        kvk = values.get("company_registry", ("", ""))[1]
        branch = values.get("kvk_branch_number", ("", ""))[1]
        kind = "hoofdvestiging" if branch else "rechtspersoon"
        partner = Partner._kvk_find_duplicate(kvk, branch, kind=kind) or Partner._kvk_find_duplicate(
            kvk, "", kind="rechtspersoon"
        )
        if partner:
            partner.check_access("write")
            note = self.env._("%s already holds this registration: it is followed now.", partner.display_name)
        else:
            Partner.check_access("create")
            partner = Partner.create({"name": values.get("name", ("", kvk))[1] or kvk, "is_company": True})
            partner._kvk_write_register_values(values, list(values), kind=kind)
            note = self.env._("Created from the KvK inbox (profile %s).", self.profile_id.display_name)
        partner._kvk_enrol(source="review", profile=self.profile_id, company=self.company_id)
        self.sudo().write({"partner_id": partner.id})
        self.line_ids.sudo().write(
            {"state": "applied", "decided_by": self.env.uid, "decided_at": fields.Datetime.now()}
        )
        self._kvk_update_state()
        self.message_post(body=note)

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "target": "current",
        }

    # -- weekly digest --------------------------------------------------------------------------------

    @api.model
    def _cron_kvk_digest(self):
        """Per company and reviewer, a mail listing what waits in the KvK inbox, in the reviewer's language.

        One run per company at a time (advisory lock; a second one is skipped and recorded so).  The
        run of each company that reads change signals or has items waiting is recorded with its counts."""
        sent = 0
        for company in self.env["res.company"].sudo().search([]):
            started = fields.Datetime.now()
            items = self.sudo().search([("company_id", "=", company.id), ("to_review", "=", True)])
            if not items and not company.kvk_use_mutaties:
                continue
            self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [DIGEST_LOCK, company.id])
            if not self.env.cr.fetchone()[0]:
                _logger.info("KvK inbox digest of company %s skipped: another run is sending it", company.id)
                self.env["kvk.job.run"]._record("digest", company, started_at=started, state="skipped")
                continue
            by_user = {}
            for item in items:
                user = item.user_id or company.kvk_review_user_id
                if user and user.email:
                    by_user.setdefault(user, self.browse())
                    by_user[user] |= item
            for user, mine in by_user.items():
                self.with_company(company)._kvk_send_digest(company, user, mine)
            sent += len(by_user)
            listed = sum(len(mine) for mine in by_user.values())
            self.env["kvk.job.run"]._record("digest", company, started_at=started, done=len(by_user), item=listed)
        return sent

    @api.model
    def _kvk_send_digest(self, company, user, items):
        lang = user.lang or company.partner_id.lang or "en_US"
        env = self.with_context(lang=lang).env
        kinds = dict(self._fields["kind"]._description_selection(env))
        counts = [
            (kinds[kind], len(items.filtered(lambda item, kind=kind: item.kind == kind))) for kind, _label in KINDS
        ]
        body = env["ir.qweb"]._render(
            "kvk_connector.kvk_review_digest",
            {
                "company": company,
                "user": user,
                "counts": [(label, count) for label, count in counts if count],
                "kinds": kinds,
                "items": items[:30].with_env(env),
                "more": max(len(items) - 30, 0),
                "base_url": company.get_base_url(),
            },
        )
        subject = env._("KvK inbox of %(company)s: %(count)s items to review", company=company.name, count=len(items))
        self.env["mail.mail"].sudo().create(
            {
                "subject": subject,
                "body_html": body,
                "email_to": user.email_formatted,
                "email_from": company.email_formatted or self.env.user.email_formatted,
                "recipient_ids": [fields.Command.link(user.partner_id.id)],
                "auto_delete": True,
            }
        )


class KvkReviewLine(models.Model):
    _name = "kvk.review.line"
    _description = "KvK Review Field"
    _order = "review_id, sequence, id"

    review_id = fields.Many2one("kvk.review", required=True, readonly=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="review_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="review_id.partner_id", store=True, index=True)
    kind = fields.Selection(related="review_id.kind")
    sequence = fields.Integer(readonly=True)
    key = fields.Char(required=True, readonly=True)
    label = fields.Char(string="Field", compute="_compute_label")
    current_value = fields.Char(
        string="On the Contact (as read)", readonly=True, help="The contact's value when this was proposed."
    )
    current_raw = fields.Text(readonly=True, help="The contact's value when this was proposed, as stored.")
    register_old = fields.Char(string="Register Before (as read)", readonly=True)
    register_old_json = fields.Text(readonly=True)
    register_new = fields.Char(string="Register Now (as read)", readonly=True)
    value_json = fields.Text(readonly=True)
    # what the columns show, in the reader's language (dates, countries)
    current_display = fields.Char(
        string="On the Contact", compute="_compute_display", help="The contact's value when this was proposed."
    )
    register_old_display = fields.Char(string="Register Before", compute="_compute_display")
    register_new_display = fields.Char(string="Register Now", compute="_compute_display")
    state = fields.Selection(LINE_STATES, default="pending", required=True, readonly=True, index=True)
    conflict = fields.Boolean(readonly=True, help="The contact changed this field since it was proposed.")
    conflict_value = fields.Char(string="Contact Now", readonly=True)
    decided_by = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)

    @api.depends("key")
    @api.depends_context("lang")
    def _compute_label(self):
        labels = register_labels(self.env)
        for line in self:
            line.label = labels.get(line.key, line.key)

    @api.depends("review_id.name", "key")
    @api.depends_context("lang")
    def _compute_display_name(self):
        labels = register_labels(self.env)
        for line in self:
            line.display_name = f"{line.review_id.name}: {labels.get(line.key, line.key)}"

    @api.depends("key", "current_raw", "current_value", "register_old_json", "register_old", "value_json",
                 "register_new")  # fmt: skip
    @api.depends_context("lang")
    def _compute_display(self):
        def raw(text):
            return json.loads(text) if text else None

        for line in self:
            key = line.key
            line.current_display = shown_for(self.env, key, raw(line.current_raw), line.current_value) or False
            line.register_old_display = (
                shown_for(self.env, key, raw(line.register_old_json), line.register_old) or False
            )
            line.register_new_display = shown_for(self.env, key, line._value(), line.register_new) or False

    def _value(self):
        self.ensure_one()
        return json.loads(self.value_json) if self.value_json else None

    def _kvk_decide(self, accept, force=False):
        self.env["res.partner"]._kvk_check_user()
        items = self.review_id
        items._kvk_lock()
        for item in items:
            item._kvk_check_open()
            mine = self.filtered(lambda line, item=item: line.review_id == item)
            if item.kind in ("new", "deleted"):
                raise UserError(self.env._("A new or deleted registration is accepted or rejected as a whole."))
            if not mine.filtered(lambda line: line.state == "pending"):
                raise UserError(self.env._("This field has been decided already."))
            if accept:
                item._kvk_apply(mine, force=force)
            else:
                item._kvk_reject(mine)
        return True

    def action_accept(self):
        """Accept this field only."""
        return self._kvk_decide(True)

    def action_accept_anyway(self):
        """Write the register's value although the contact changed since it was proposed."""
        return self._kvk_decide(True, force=True)

    def action_reject(self):
        return self._kvk_decide(False)
