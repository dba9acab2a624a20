from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import KvkCase


@tagged("post_install", "-at_install")
class TestSearchWizard(KvkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(user=cls.salesperson)
        cls.Partner = cls.env["res.partner"]

    def wizard(self, **values):
        return self.env["kvk.search.wizard"].create(values)

    def line(self, wizard, branch="", kind=None):
        return wizard.line_ids.filtered(
            lambda line: (line.branch_number or "") == branch and (not kind or line.kind == kind)
        )

    def test_invalid_input_is_refused_before_any_call(self):
        wizard = self.wizard(kvk_number="1234567", rsin="857587974", postcode="0123 AB", branch_number="12")
        with self.assertRaises(UserError) as caught:
            wizard.action_search()
        message = str(caught.exception)
        for part in ("KvK number", "RSIN", "Postcode", "Vestigingsnummer", "house number"):
            self.assertIn(part, message)
        with self.assertRaises(UserError):
            self.wizard().action_search()  # no criteria at all
        self.assertEqual(self.kvk_calls(), [])

    def test_valid_rsin_and_postcode_are_sent_compact(self):
        wizard = self.wizard(rsin="857587973", postcode="8823 sj", house_number="3")
        wizard.action_search()
        (call,) = self.kvk_calls()
        self.assertEqual(call["query"]["postcode"], ["8823SJ"])
        self.assertEqual(call["query"]["rsin"], ["857587973"])

    def test_search_lists_hits_and_pages(self):
        wizard = self.wizard(name="bouw", per_page=5)
        wizard.action_search()
        self.assertEqual(wizard.state, "results")
        self.assertEqual(len(wizard.line_ids), 5)
        self.assertGreater(wizard.total, 5)

        def keys():
            return {(line.kvk_number, line.branch_number, line.kind) for line in wizard.line_ids}

        first = keys()
        wizard.action_next_page()
        self.assertEqual(wizard.page, 2)
        self.assertTrue(first.isdisjoint(keys()))
        self.assertEqual(self.kvk_calls()[-1]["query"]["pagina"], ["2"])
        wizard.action_previous_page()
        self.assertEqual(keys(), first)

    def test_register_error_is_shown_not_raised(self):
        wizard = self.wizard(kvk_number="12345678")
        wizard.action_search()
        self.assertEqual(wizard.state, "search")
        self.assertEqual(wizard.message, "Nothing in the register matches these criteria.")
        log = self.company_logs([], limit=1)
        self.assertRecordValues(
            log, [{"product": "zoeken", "state": "empty", "error_code": "IPD5200", "http_status": 404}]
        )

    def test_preview_fills_only_empty_fields_and_applies(self):
        partner = self.Partner.create({"name": "Donald (hand-made)", "is_company": True, "city": "Leeuwarden"})
        wizard = self.wizard(partner_id=partner.id, kvk_number="68750110")
        wizard.action_search()
        self.line(wizard, "000037178598").action_select()
        self.assertEqual(wizard.state, "preview")
        rows = {p.key: p for p in wizard.preview_ids}
        self.assertEqual(rows["city"].current_value, "Leeuwarden")
        self.assertEqual(rows["city"].register_value, "Lollum")
        self.assertFalse(rows["city"].apply)
        self.assertFalse(rows["name"].apply)
        self.assertTrue(rows["kvk_rsin"].apply)
        action = wizard.action_apply()
        # the contact's form is underneath the dialog: it closes on it (one breadcrumb, the form reloads)
        self.assertEqual(action, {"type": "ir.actions.act_window_close", "infos": {"kvk_partner_id": partner.id}})
        self.assertRecordValues(
            partner,
            [
                {
                    "name": "Donald (hand-made)",
                    "city": "Leeuwarden",
                    "company_registry": "68750110",
                    "kvk_branch_number": "000037178598",
                    "kvk_rsin": "857587973",
                    "kvk_legal_form": "Besloten vennootschap met gewone structuur",
                    "kvk_founding_raw": "20170300",
                    "kvk_founding_date": False,
                    "zip": "8823 SJ",
                    "street": "Hizzaarderlaan 3 A",
                    "website": "https://www.testbvdonald.nl",
                    "kvk_employees": 4,
                    "kvk_employees_full": 2,
                    "kvk_employees_part": 1,
                    "kvk_linked": True,
                    "kvk_former": False,
                }
            ],
        )
        self.assertEqual(partner.kvk_sbi_id.code, "01241")
        self.assertEqual(partner.kvk_sbi_ids.mapped("code"), ["01241"])
        postal = partner.child_ids.filtered("kvk_is_postal_address")
        self.assertRecordValues(
            postal, [{"type": "invoice", "street": "Postbus 200", "zip": "1000 AE", "city": "Rommeldam"}]
        )
        self.assertIn("857587973", partner.message_ids[0].body)
        self.assertIn("Written from the KvK register", partner.message_ids[0].body)
        self.assertTrue(partner.kvk_last_update)

    def test_overwrite_when_asked(self):
        partner = self.Partner.create({"name": "Old name", "is_company": True, "city": "Leeuwarden"})
        wizard = self.wizard(partner_id=partner.id, kvk_number="68750110")
        wizard.action_search()
        self.line(wizard, "000037178598").action_select()
        with Form(wizard) as form:
            form.fill_empty_only = False
        wizard.action_apply()
        self.assertRecordValues(partner, [{"name": "Test BV Donald", "city": "Lollum"}])

    def test_create_new_contact_from_menu(self):
        wizard = self.wizard(kvk_number="69599084")
        wizard.action_search()
        self.line(wizard, "000038509520").action_select()  # the EMZ's side branch: Vestigingsprofiel
        action = wizard.action_apply()
        partner = self.Partner.browse(action["res_id"])
        self.assertRecordValues(
            partner,
            [
                {
                    "name": "Test EMZ Nevenvestiging Govert",
                    "is_company": True,
                    "company_registry": "69599084",
                    "kvk_branch_number": "000038509520",
                    "city": "Maastricht",
                    "kvk_rsin": False,
                    "kvk_employees_part": 1,
                }
            ],
        )
        self.assertEqual(self.kvk_calls("/kvk/api/v1/")[0]["path"].rsplit("/", 1)[1], "000038509520")
        # the wizard's queries (the search and the profile) belong to the contact they made
        self.assertEqual(partner.kvk_query_count, 2)
        logs = self.company_logs([("partner_id", "=", partner.id)])
        self.assertEqual(sorted(logs.mapped("product")), ["vestigingsprofiel", "zoeken"])

    def test_new_contact_takes_only_ticked_values(self):
        wizard = self.wizard(kvk_number="68750110")
        wizard.action_search()
        self.line(wizard, "000037178598").action_select()
        self.assertTrue(all(wizard.preview_ids.mapped("apply")))  # a new contact: everything is empty
        wizard.preview_ids.filtered(lambda row: row.key in ("website", "kvk_postal_address")).apply = False
        partner = self.Partner.browse(wizard.action_apply()["res_id"])
        self.assertRecordValues(partner, [{"name": "Test BV Donald", "website": False, "kvk_rsin": "857587973"}])
        self.assertFalse(partner.child_ids)

    def test_duplicate_is_opened_instead_of_created(self):
        existing = self.Partner.create(
            {"name": "Donald", "is_company": True, "company_registry": "68750110", "kvk_branch_number": "000037178598"}
        )
        wizard = self.wizard(name="Donald")
        wizard.action_search()
        line = self.line(wizard, "000037178598")
        self.assertEqual(line.existing_partner_id, existing)
        paid_before = len(self.kvk_calls("/kvk/api/v1/"))
        action = line.action_select()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", existing.id))
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/")), paid_before, "no paid call for a known company")
        # the side branch of the same company is another contact
        self.assertFalse(self.line(wizard, "000037178601").existing_partner_id)

    def test_hand_made_contact_is_linked_by_kvk_number(self):
        partner = self.Partner.create({"name": "Katrien", "is_company": True, "company_registry": "68727720"})
        action = partner.action_kvk_search()
        self.assertEqual(action["context"]["default_kvk_number"], "68727720")
        wizard = self.env["kvk.search.wizard"].with_context(**action["context"]).create({})
        wizard.action_search()
        self.line(wizard, "000037143557").action_select()
        wizard.action_apply()
        self.assertRecordValues(
            partner, [{"kvk_linked": True, "kvk_branch_number": "000037143557", "kvk_rsin": "291417772"}]
        )

    def test_vve_without_main_branch_and_inactive(self):
        wizard = self.wizard(kvk_number="90000749")
        wizard.action_search()
        self.assertEqual(wizard.line_ids.mapped("kind"), ["rechtspersoon"])
        wizard.line_ids.action_select()
        partner = self.Partner.browse(wizard.action_apply()["res_id"])
        self.assertRecordValues(
            partner, [{"city": "Dordrecht", "kvk_branch_number": False, "kvk_sbi_id": partner.kvk_sbi_id.id}]
        )
        self.assertEqual(partner.kvk_sbi_id.code, "94997")
        wizard = self.wizard(kvk_number="96354429", include_inactive=True)
        wizard.action_search()
        self.assertEqual(len(wizard.line_ids), 2)
        self.assertFalse(any(wizard.line_ids.mapped("is_active")))
        self.line(wizard, "", "rechtspersoon").action_select()
        partner = self.Partner.browse(wizard.action_apply()["res_id"])
        self.assertRecordValues(partner, [{"kvk_former": True, "kvk_end_raw": "20240630"}])
        self.assertEqual(str(partner.kvk_end_date), "2024-06-30")

    def test_shielded_address_is_not_written(self):
        wizard = self.wizard(kvk_number="90001354")
        wizard.action_search()
        self.line(wizard, "990000541921").action_select()
        self.assertIn("Shielded", wizard.message)
        keys = wizard.preview_ids.mapped("key")
        self.assertNotIn("street", keys)
        partner = self.Partner.browse(wizard.action_apply()["res_id"])
        self.assertFalse(partner.street)
        self.assertEqual(partner.child_ids.filtered("kvk_is_postal_address").city, "Sterksel")

    def test_paid_product_switched_off_uses_search_data(self):
        self.company.sudo().write({"kvk_use_basisprofiel": False, "kvk_use_vestigingsprofiel": False})
        wizard = self.wizard(kvk_number="68750110")
        wizard.action_search()
        self.line(wizard, "000037178598").action_select()
        partner = self.Partner.browse(wizard.action_apply()["res_id"])
        self.assertRecordValues(partner, [{"company_registry": "68750110", "city": "Lollum", "kvk_rsin": False}])
        self.assertEqual(self.kvk_calls("/kvk/api/v1/"), [])
        self.assertEqual(self.company_logs([], limit=1).state, "blocked")

    # -- from a contact form (the "Search register" button) ------------------------------------------

    def test_a_new_contact_is_not_saved_to_search_for_it(self):
        count = self.Partner.search_count([])
        action = self.Partner.with_context(kvk_form_return=True, kvk_draft_name=" Donald ").action_kvk_search()
        self.assertEqual(self.Partner.search_count([]), count)
        context = action["context"]
        self.assertEqual(context["default_name"], "Donald")
        self.assertNotIn("default_partner_id", context)
        self.assertTrue(context["kvk_form_return"])
        wizard = self.env["kvk.search.wizard"].with_context(**context).create({})
        wizard.action_search()
        result = self.line(wizard, "000037178598").action_select()
        self.assertEqual(result["res_model"], "kvk.search.wizard", "the preview, not a contact yet")
        self.assertEqual(self.Partner.search_count([]), count, "nothing is saved before applying")
        result = wizard.action_apply()
        partner = self.Partner.browse(result["infos"]["kvk_partner_id"])
        self.assertEqual(result["type"], "ir.actions.act_window_close")
        self.assertRecordValues(partner, [{"name": "Test BV Donald", "company_registry": "68750110"}])
        self.assertEqual(self.Partner.search_count([("is_company", "=", True), ("name", "ilike", "Donald")]), 1)

    def test_an_unnamed_new_contact_starts_an_empty_search(self):
        action = self.Partner.with_context(kvk_form_return=True, kvk_draft_name="").action_kvk_search()
        self.assertFalse({"default_name", "default_kvk_number", "default_partner_id"} & set(action["context"]))
        wizard = self.env["kvk.search.wizard"].with_context(**action["context"]).create({})
        self.assertRecordValues(wizard, [{"state": "search", "name": False, "kvk_number": False}])
        with self.assertRaises(UserError):
            wizard.action_search()
        self.assertEqual(self.kvk_calls(), [])

    def test_a_kvk_number_typed_on_a_new_contact_is_searched(self):
        action = self.Partner.with_context(kvk_draft_name="Donald", kvk_draft_registry="68750110").action_kvk_search()
        self.assertEqual(action["context"]["default_kvk_number"], "68750110")
        self.assertNotIn("default_name", action["context"])

    def test_the_legal_entity_of_a_company_in_odoo_opens_its_contact(self):
        """The legal entity is the company as a whole: its main branch's contact stands for it."""
        wizard = self.wizard(kvk_number="68750110")
        wizard.action_search()
        self.line(wizard, "000037178598").action_select()
        existing = self.Partner.browse(wizard.action_apply()["res_id"])
        wizard = self.wizard(name="Donald")
        wizard.action_search()
        legal = self.line(wizard, "", "rechtspersoon")
        self.assertEqual(legal.existing_partner_id, existing)
        paid = len(self.kvk_calls("/kvk/api/v1/"))
        action = legal.action_select()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", existing.id))
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/")), paid, "no paid call for a company already in Odoo")
        # from a contact form the dialog closes on the existing contact instead
        wizard = self.env["kvk.search.wizard"].with_context(kvk_form_return=True).create({"name": "Donald"})
        wizard.action_search()
        action = self.line(wizard, "", "rechtspersoon").action_select()
        self.assertEqual(action, {"type": "ir.actions.act_window_close", "infos": {"kvk_partner_id": existing.id}})
        companies = self.Partner.search([("company_registry", "=", "68750110"), ("is_company", "=", True)])
        self.assertEqual(companies, existing)

    def test_the_legal_entity_of_a_company_without_a_branch_contact_is_created(self):
        wizard = self.wizard(kvk_number="68750110", kind="rechtspersoon")
        wizard.action_search()
        self.assertFalse(wizard.line_ids.existing_partner_id)
        wizard.line_ids.action_select()
        partner = self.Partner.browse(wizard.action_apply()["res_id"])
        self.assertRecordValues(partner, [{"company_registry": "68750110", "kvk_registration_kind": "rechtspersoon"}])
