"""Target groups (profiles): criteria, "Test selection" on a KvK bulk file, import."""

import base64
import io
import json
import os

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import formatLang

from ..clients import (
    APPLIED_BY_KVK,
    EMPLOYEE_CLASSES,
    LEGAL_FORMS,
    BulkFileError,
    ColumnMapping,
    Criteria,
    CriteriaError,
    run_test_selection,
)
from ..clients.kvk_bulk import FIELDS
from ..clients.kvk_criteria import SELECTION_BAND

SAMPLE_SIZE = 20
MAX_BAD_ROWS = 100
DEFAULT_MAPPING = "\n".join(f"{name} = {header}" for name, header in FIELDS.items())


class KvkCriterionValue(models.Model):
    """A legal form or an employee class a profile can select (reference data, from the criteria module)."""

    _name = "kvk.criterion.value"
    _description = "KvK Criterion Value"
    _order = "kind, sequence, id"

    kind = fields.Selection([("legal_form", "Legal form"), ("employees", "Employees")], required=True, index=True)
    key = fields.Char(required=True)
    name = fields.Char(required=True)
    sequence = fields.Integer()

    _sql_constraints = [("kind_key_unique", "UNIQUE(kind, key)", "A criterion value exists once.")]

    @api.model
    def _kvk_sync(self):
        """Create the values the criteria know (called when the module is installed or updated)."""
        existing = {(value.kind, value.key) for value in self.sudo().search([])}
        values = []
        for sequence, (key, (label, _spellings)) in enumerate(LEGAL_FORMS.items()):
            if ("legal_form", key) not in existing:
                values.append({"kind": "legal_form", "key": key, "name": label, "sequence": sequence})
        for sequence, key in enumerate(EMPLOYEE_CLASSES):
            if ("employees", key) not in existing:
                values.append({"kind": "employees", "key": key, "name": key, "sequence": sequence})
        return self.sudo().create(values)


class KvkProfile(models.Model):
    """A target group: the companies a sales manager wants, as criteria KvK applies to a Mutatieservice
    subscription's population (SBI, postcode, municipality, legal form) and criteria filtered here
    (SBI codes left out, employees, explicit KvK numbers, main branches only)."""

    _name = "kvk.profile"
    _inherit = ["mail.thread"]
    _description = "KvK Profile (Target Group)"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", help="Reviews the new registrations that match this profile."
    )
    offer_new = fields.Boolean(
        string="Offer New Registrations",
        default=True,
        help="New registrations that match this profile appear in the New tab of the KvK inbox.",
    )
    sbi_include = fields.Char(string="SBI Codes", help="2 to 5 digits each; a shorter code covers its subcodes.")
    sbi_exclude = fields.Char(string="SBI Codes Left Out")
    sbi_main_only = fields.Boolean(string="Main Activity Only", default=True)
    postcodes = fields.Char(string="Postcode Ranges", help="Four-digit postcodes or ranges: 5200-5500, 5611.")
    municipalities = fields.Text(help="One per line (or separated by commas).")
    legal_form_ids = fields.Many2many(
        "kvk.criterion.value",
        "kvk_profile_legal_form_rel",
        string="Legal Forms",
        domain=[("kind", "=", "legal_form")],
    )
    employee_class_ids = fields.Many2many(
        "kvk.criterion.value",
        "kvk_profile_employee_class_rel",
        string="Employees",
        domain=[("kind", "=", "employees")],
    )
    kvk_numbers = fields.Text(string="KvK Numbers", help="Registrations that are always in the target group.")
    main_branches_only = fields.Boolean()
    criteria_overview = fields.Html(compute="_compute_criteria_overview", sanitize=False)

    bulk_file = fields.Binary(string="KvK Bulk File", attachment=True, copy=False)
    bulk_filename = fields.Char(copy=False)
    column_mapping = fields.Text(
        default=DEFAULT_MAPPING,
        help="One line per field: field = column header of the file.  A field mapped to nothing is not in the file.",
    )
    bulk_delimiter = fields.Char(string="Separator", default=";", size=1)
    bulk_encoding = fields.Char(string="Encoding", default="utf-8")

    selection_at = fields.Datetime(string="Tested At", readonly=True, copy=False)
    selection_rows = fields.Integer(string="Rows Read", readonly=True, copy=False)
    selection_matches = fields.Integer(string="Matches", readonly=True, copy=False)
    selection_band = fields.Selection(
        [("below", "Fewer than 1,000"), ("within", "1,000 to 20,000"), ("above", "More than 20,000")],
        string="Size",
        readonly=True,
        copy=False,
    )
    selection_bad_count = fields.Integer(string="Bad Rows", readonly=True, copy=False)
    selection_json = fields.Text(readonly=True, copy=False)
    selection_html = fields.Html(string="Sample", compute="_compute_selection_html", sanitize=False)
    selection_warning = fields.Char(compute="_compute_selection_html")

    import_job_ids = fields.One2many("kvk.import.job", "profile_id", string="Imports", readonly=True)
    enrolment_count = fields.Integer(compute="_compute_counts", string="Followed")
    new_count = fields.Integer(compute="_compute_counts", string="New Registrations")

    # -- criteria ----------------------------------------------------------------------------------

    def _kvk_criteria(self):
        """The profile's :class:`clients.Criteria`; :class:`clients.CriteriaError` names a wrong value."""
        self.ensure_one()
        return Criteria.parse(
            sbi_include=self.sbi_include or "",
            sbi_exclude=self.sbi_exclude or "",
            sbi_main_only=self.sbi_main_only,
            postcodes=self.postcodes or "",
            municipalities=self.municipalities or "",
            legal_forms=self.legal_form_ids.mapped("key"),
            employee_classes=self.employee_class_ids.mapped("key"),
            kvk_numbers=self.kvk_numbers or "",
            main_branches_only=self.main_branches_only,
        )

    def _criterion_labels(self):
        _ = self.env._
        return {
            "kvk_numbers": _("KvK numbers"),
            "sbi_include": _("SBI codes"),
            "sbi_exclude": _("SBI codes left out"),
            "postcode": _("Postcode ranges"),
            "municipality": _("Municipalities"),
            "legal_form": _("Legal forms"),
            "employees": _("Employees"),
            "main_branches_only": _("Main branches only"),
            "active": _("Active registrations"),
        }

    @api.constrains(
        "sbi_include", "sbi_exclude", "postcodes", "municipalities", "kvk_numbers", "legal_form_ids",
        "employee_class_ids",
    )  # fmt: skip
    def _check_criteria(self):
        labels = {
            "sbi_include": self.env._("SBI codes"),
            "sbi_exclude": self.env._("SBI codes left out"),
            "postcode": self.env._("Postcode ranges"),
            "kvk_numbers": self.env._("KvK numbers"),
            "legal_form": self.env._("Legal forms"),
            "employees": self.env._("Employees"),
        }
        for profile in self:
            try:
                profile._kvk_criteria()
            except CriteriaError as error:
                raise ValidationError(
                    self.env._(
                        "%(field)s: %(message)s", field=labels.get(error.field, error.field), message=error.message
                    )
                ) from None

    @api.depends(
        "sbi_include", "sbi_exclude", "sbi_main_only", "postcodes", "municipalities", "legal_form_ids",
        "employee_class_ids", "kvk_numbers", "main_branches_only",
    )  # fmt: skip
    @api.depends_context("lang")
    def _compute_criteria_overview(self):
        _ = self.env._
        labels = self._criterion_labels()
        for profile in self:
            try:
                criteria = profile._kvk_criteria()
            except CriteriaError as error:
                profile.criteria_overview = Markup('<p class="text-danger">%s</p>') % error.message
                continue
            rows = []
            for name in criteria.active_criteria():
                by_kvk = name in APPLIED_BY_KVK
                badge = _("applied by KvK") if by_kvk else _("filtered here")
                css = "text-bg-success" if by_kvk else "text-bg-info"
                rows.append(
                    Markup('<li>%s <span class="badge %s">%s</span></li>') % (escape(labels[name]), css, escape(badge))
                )
            note = _(
                "KvK selects a subscription's population by SBI code, postcode, municipality and legal form; "
                "the other criteria are applied here to what the register says. Revenue groups are no KvK criterion."
            )
            profile.criteria_overview = Markup('<ul class="o_kvk_criteria">%s</ul><p class="text-muted">%s</p>') % (
                Markup("").join(rows),
                note,
            )

    def _compute_counts(self):
        enrolments = self.env["kvk.enrolment"]._read_group(
            [("profile_id", "in", self.ids), ("state", "=", "active")], ["profile_id"], ["__count"]
        )
        news = self.env["kvk.review"]._read_group(
            [("profile_id", "in", self.ids), ("to_review", "=", True)], ["profile_id"], ["__count"]
        )
        followed = {profile.id: count for profile, count in enrolments}
        waiting = {profile.id: count for profile, count in news}
        for profile in self:
            profile.enrolment_count = followed.get(profile.id, 0)
            profile.new_count = waiting.get(profile.id, 0)

    # -- the bulk file -----------------------------------------------------------------------------

    def _kvk_mapping(self):
        self.ensure_one()
        try:
            return ColumnMapping.parse(
                self.column_mapping or "", self.bulk_delimiter or ";", self.bulk_encoding or "utf-8"
            )
        except BulkFileError as error:
            raise UserError(self.env._("Column mapping: %s", error.message)) from None

    def _kvk_bulk_attachment(self):
        self.ensure_one()
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "=", self.id), ("res_field", "=", "bulk_file")], limit=1
            )
        )

    @api.model
    def _kvk_source(self, attachment):
        """A file name (streamed from the filestore) or a file object, for the bulk reader."""
        attachment = attachment.sudo()
        if attachment.store_fname:
            path = attachment._full_path(attachment.store_fname)
            if os.path.exists(path):
                return path
        return io.BytesIO(base64.b64decode(attachment.datas or b""))

    def action_test_selection(self):
        """Count the bulk file's rows that match the criteria, with a sample and the bad rows."""
        self.env["res.partner"]._kvk_check_manager()
        self.ensure_one()
        attachment = self._kvk_bulk_attachment()
        if not attachment:
            raise UserError(self.env._("Upload a KvK bulk file first."))
        try:
            criteria = self._kvk_criteria()
        except CriteriaError as error:
            raise UserError(error.message) from None
        mapping = self._kvk_mapping()
        try:
            result = run_test_selection(
                self._kvk_source(attachment), criteria, mapping, sample_size=SAMPLE_SIZE, max_bad_rows=MAX_BAD_ROWS
            )
        except BulkFileError as error:
            raise UserError(self.env._("The bulk file cannot be read: %s", error.message)) from None
        sample = [
            {
                "line": row.line,
                "kvk_number": row.values.get("kvk_number", ""),
                "branch_number": row.values.get("branch_number", ""),
                "name": row.values.get("name", ""),
                "postcode": row.values.get("postcode", ""),
                "city": row.values.get("city", ""),
                "sbi": row.values.get("sbi_main", ""),
                "legal_form": row.values.get("legal_form", ""),
            }
            for row in result.sample
        ]
        bad = [{"line": row.line, "reason": row.reason, "code": row.code, "args": row.args} for row in result.bad_rows]
        self.write(
            {
                "selection_at": fields.Datetime.now(),
                "selection_rows": result.rows,
                "selection_matches": result.matches,
                "selection_band": result.band,
                "selection_bad_count": result.bad_count,
                "selection_json": json.dumps(
                    {"sample": sample, "bad": bad, "missing": result.missing_columns}, ensure_ascii=False
                ),
            }
        )
        return True

    @api.depends("selection_json", "selection_band", "selection_matches")
    @api.depends_context("lang")
    def _compute_selection_html(self):
        _ = self.env._
        low, high = SELECTION_BAND
        for profile in self:
            data = json.loads(profile.selection_json or "{}")
            warning = ""
            count, lowest, highest = (formatLang(self.env, n, digits=0) for n in (profile.selection_matches, low, high))
            if profile.selection_band == "below":
                warning = _(
                    "Companies that match: %(count)s. A target group usually holds %(low)s to %(high)s. "
                    "Widen the criteria.",
                    count=count,
                    low=lowest,
                    high=highest,
                )
            elif profile.selection_band == "above":
                warning = _(
                    "%(count)s companies match: more than %(high)s clutters the contacts. Narrow the criteria.",
                    count=count,
                    high=highest,
                )
            profile.selection_warning = warning
            if not data:
                profile.selection_html = False
                continue
            head = Markup("").join(
                Markup("<th>%s</th>") % label
                for label in (
                    _("Line"),
                    _("KvK number"),
                    _("Vestigingsnummer"),
                    _("Name"),
                    _("Postcode"),
                    _("City"),
                    _("SBI"),
                    _("Legal form"),
                )
            )
            body = Markup("").join(
                Markup("<tr>%s</tr>")
                % Markup("").join(
                    Markup("<td>%s</td>") % escape(str(row[key]))
                    for key in ("line", "kvk_number", "branch_number", "name", "postcode", "city", "sbi", "legal_form")
                )
                for row in data.get("sample", [])
            )
            html = Markup(
                '<table class="table table-sm o_kvk_selection_sample">'
                "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
            ) % (head, body)
            if data.get("missing"):
                html += Markup('<p class="text-warning">%s</p>') % _(
                    "Columns the mapping names that the file lacks: %s", ", ".join(data["missing"])
                )
            if data.get("bad"):
                rows = Markup("").join(
                    Markup("<li>%s</li>")
                    % _(
                        "Line %(line)s: %(reason)s",
                        line=row["line"],
                        reason=bad_row_text(self.env, row.get("code"), row.get("args"), row["reason"]),
                    )
                    for row in data["bad"]
                )
                html += Markup('<p>%s</p><ul class="o_kvk_bad_rows">%s</ul>') % (_("Bad rows:"), rows)
            profile.selection_html = html

    def action_import(self):
        """Import the matching companies of the bulk file in the background (a job that keeps its place)."""
        self.env["res.partner"]._kvk_check_manager()
        self.ensure_one()
        attachment = self._kvk_bulk_attachment()
        if not attachment:
            raise UserError(self.env._("Upload a KvK bulk file first."))
        try:
            criteria = self._kvk_criteria()
        except CriteriaError as error:
            raise UserError(error.message) from None
        mapping = self._kvk_mapping()
        copy = attachment.copy({"res_model": "kvk.import.job", "res_id": 0, "res_field": False})
        # administrators read imports; only this action starts one (with the file and criteria it checked)
        job = (
            self.env["kvk.import.job"]
            .sudo()
            .create(
                {
                    "profile_id": self.id,
                    "company_id": self.company_id.id,
                    "attachment_id": copy.id,
                    "filename": self.bulk_filename or attachment.name,
                    "criteria_json": json.dumps(criteria_to_json(criteria)),
                    "mapping_json": json.dumps(
                        {"columns": mapping.columns, "delimiter": mapping.delimiter, "encoding": mapping.encoding}
                    ),
                }
            )
        )
        copy.write({"res_id": job.id})
        self.env.ref("kvk_connector.ir_cron_kvk_connector_import")._trigger()
        return {
            "type": "ir.actions.act_window",
            "res_model": "kvk.import.job",
            "res_id": job.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_view_enrolments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kvk_connector.kvk_enrolment_action")
        action["domain"] = [("profile_id", "=", self.id)]
        return action

    def action_view_new(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kvk_connector.kvk_review_action")
        action["domain"] = [("profile_id", "=", self.id)]
        action["context"] = {"search_default_to_review": 1}
        return action


def bad_row_text(env, code, args, reason=""):
    """What is wrong with a bulk-file row, in ``env``'s language: from the problem's code and values
    (:class:`clients.BadRow`, or the import's own checks); ``reason`` (as it was written) when the
    code is unknown."""
    _ = env._
    args = args or {}
    value = f"“{args.get('value', '')}”"
    if code == "columns":
        if args.get("quoted"):
            return _(
                "%(found)s columns instead of %(expected)s (a quoted value may span lines)",
                found=args.get("found"),
                expected=args.get("expected"),
            )
        return _("%(found)s columns instead of %(expected)s", found=args.get("found"), expected=args.get("expected"))
    if code == "encoding":
        return _("text that is not %s", args.get("encoding"))
    if code == "unreadable":
        return _("the row cannot be read")
    messages = {
        "missing": lambda: _("the KvK number is missing"),
        "kvk_number": lambda: _("the KvK number %s is not 8 digits", value),
        "branch_number": lambda: _("the vestigingsnummer %s is not 12 digits", value),
        "postcode": lambda: _("the postcode %s is not a Dutch postcode (1234AB)", value),
        "sbi_main": lambda: _("the SBI code %s is not 2 to 6 digits", value),
        "sbi_other": lambda: _("the other SBI codes %s are not codes separated by spaces", value),
        "employees": lambda: _("the number of employees %s is not a whole number", value),
        "main_branch": lambda: _("the main-branch flag %s is not J or N", value),
        "start_date": lambda: _("the start date %s is not YYYYMMDD", value),
        "end_date": lambda: _("the end date %s is not YYYYMMDD", value),
        "rsin": lambda: _("the RSIN %s does not pass the 11-check", args.get("value", "")),
        "twice": lambda: _("the registration is in the file twice"),
        "followed": lambda: _("already followed"),
    }
    return messages[code]() if code in messages else reason or ""


def criteria_to_json(criteria):
    """A :class:`clients.Criteria` as plain JSON (for a job that must keep the criteria it started with)."""
    return {
        "sbi_include": " ".join(criteria.sbi_include),
        "sbi_exclude": " ".join(criteria.sbi_exclude),
        "sbi_main_only": criteria.sbi_main_only,
        "postcodes": " ".join(f"{low}-{high}" for low, high in criteria.postcode_ranges),
        "municipalities": "\n".join(criteria.municipalities),
        "legal_forms": list(criteria.legal_forms),
        "employee_classes": list(criteria.employee_classes),
        "kvk_numbers": " ".join(criteria.kvk_numbers),
        "main_branches_only": criteria.main_branches_only,
    }
