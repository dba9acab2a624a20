"""Screens that explain themselves: lists that say what will appear, readable parameters, costs in EUR,
and, for a user reading Dutch, no English on the register extract."""

import json
import re

from lxml import etree, html

from odoo.tests import tagged
from odoo.tools import file_open
from odoo.tools.translate import TranslationFileReader

from ..clients import KvkError
from .common import KvkCase


@tagged("post_install", "-at_install")
class TestScreens(KvkCase):
    def test_every_list_that_can_be_empty_says_what_will_appear(self):
        for xmlid in (
            "kvk_connector.kvk_query_log_action",
            "kvk_connector.kvk_query_log_action_usage",
            "kvk_connector.kvk_sbi_activity_action",
            "kvk_connector.kvk_job_run_action",
        ):
            with self.subTest(action=xmlid):
                help_text = html.fromstring(str(self.env.ref(xmlid).help)).text_content()
                self.assertGreater(len(help_text.split()), 15, help_text)

    def test_a_search_that_found_nothing_is_no_result_not_an_error(self):
        service = self.env["kvk.service"].with_user(self.salesperson)
        try:  # not assertRaises: its savepoint would take the log entry with it
            service._search_register({"naam": "Nergensbestaand"})
        except KvkError as error:
            self.assertEqual(error.code, "IPD5200")
        else:
            self.fail("the search found something")
        log = self.company_logs([], limit=1)
        self.assertRecordValues(log, [{"state": "empty", "error_code": "IPD5200"}])
        self.assertEqual(dict(log._fields["state"]._description_selection(self.env))["empty"], "No result")
        arch = etree.fromstring(self.env["kvk.query.log"].get_view(view_type="list")["arch"])
        self.assertEqual(arch.get("decoration-danger"), "state == 'error'")
        self.assertIn("'empty'", arch.get("decoration-muted"))

    def test_parameters_read_as_words(self):
        service = self.env["kvk.service"].with_user(self.salesperson)
        service._search_register({"naam": "Donald", "type": ["hoofdvestiging"]}, per_page=5)
        service._fetch_profile("68750110")
        search, profile = self.company_logs([], order="id")
        self.assertEqual(search.params_display, "Name: Donald · Type: Main branch · page 1, 5 per page")
        self.assertEqual(profile.params_display, "KvK number: 68750110")
        self.assertEqual(json.loads(profile.params), {"args": ["68750110"]})  # kept as it was, for developers
        self.env["res.lang"]._activate_lang("nl_NL")
        self.assertEqual(
            search.with_context(lang="nl_NL").params_display,
            "Naam: Donald · Type: Hoofdvestiging · pagina 1, 5 per pagina",
        )
        arch = self.env["kvk.query.log"].get_view(view_type="list")["arch"]
        self.assertIn('name="params_display"', arch)

    def test_costs_carry_their_currency(self):
        fields = self.env["kvk.query.log"].fields_get(["cost"])
        self.assertEqual(fields["cost"]["string"], "Cost (EUR)")
        settings = self.env.ref("kvk_connector.res_config_settings_view_form").arch
        for product in ("basisprofiel", "vestigingsprofiel", "naamgeving", "dataservice"):
            self.assertRegex(settings, rf'<field name="kvk_price_{product}" class="oe_inline"/> EUR')
        self.assertIn("EUR a month", settings)


@tagged("post_install", "-at_install")
class TestDutchExtract(KvkCase):
    """The register extract printed by a user who reads Dutch has no English left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.salesperson.lang = "nl_NL"

    def english_of_the_extract(self):
        """(English, Dutch) of every text of the extract's template that Dutch says otherwise."""
        with file_open("kvk_connector/i18n/nl.po", "rb") as po:
            entries = list(TranslationFileReader(po, fileformat="po"))
        return {
            (entry["src"], entry["value"])
            for entry in entries
            if entry.get("imd_name") == "report_kvk_extract" and entry["value"] and entry["value"] != entry["src"]
        }

    def test_no_english_on_the_dutch_extract(self):
        wizard = self.env["kvk.search.wizard"].with_user(self.salesperson).create({"kvk_number": "68750110"})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000037178598").action_select()
        partner = self.env["res.partner"].browse(wizard.action_apply()["res_id"])
        report = self.env["ir.actions.report"].with_user(self.salesperson).with_context(lang="nl_NL")
        page = report._render_qweb_html("kvk_connector.report_kvk_extract", partner.ids)[0]
        text = re.sub(r"\s+", " ", " ".join(html.fromstring(page).itertext()))
        pairs = self.english_of_the_extract()
        self.assertGreater(len(pairs), 15)
        for english, _dutch in pairs:
            self.assertNotIn(english, text)
        for dutch in ("Registeruittreksel", "Oprichtingsdatum maart 2017", "Hoofdvestiging", "Postadres"):
            self.assertIn(dutch, text)
