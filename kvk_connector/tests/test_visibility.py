"""The KvK button and tab on the right partners for the right users; the addon's rights in the user form."""

from lxml import etree

from odoo.tests import new_test_user, tagged

from .common import KvkCase


@tagged("post_install", "-at_install")
class TestVisibility(KvkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain = new_test_user(
            cls.env,
            login="kvk-vis-plain",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
        )
        cls.nl, cls.cz = cls.env.ref("base.nl"), cls.env.ref("base.cz")

    def test_the_register_applies_to_dutch_companies_and_companies_without_a_country(self):
        Partner = self.env["res.partner"]
        dutch = Partner.create({"name": "Bakkerij", "is_company": True, "country_id": self.nl.id})
        nowhere = Partner.create({"name": "Zonder land", "is_company": True})
        czech = Partner.create({"name": "Pekárna s.r.o.", "is_company": True, "country_id": self.cz.id})
        person = Partner.create({"name": "Jan", "country_id": self.nl.id})
        employee = Partner.create({"name": "Piet", "parent_id": dutch.id})
        self.assertEqual(
            [p.kvk_applies for p in (dutch, nowhere, czech, person, employee)], [True, True, False, False, False]
        )
        # a contact linked to the register stays so when its address is abroad (a main branch abroad)
        czech.write({"company_registry": "55505201", "kvk_linked": True})
        self.assertTrue(czech.kvk_applies)

    def form(self, user):
        return etree.fromstring(self.env["res.partner"].with_user(user).get_view(view_type="form")["arch"])

    def test_the_button_and_tab_only_for_kvk_users(self):
        arch = self.form(self.salesperson)
        (button,) = arch.xpath("//header/widget[@name='kvk_search_register']")
        self.assertEqual(button.get("invisible"), "not kvk_applies")
        (page,) = arch.xpath("//page[@name='kvk_register']")
        self.assertEqual(page.get("invisible"), "not kvk_applies")
        arch = self.form(self.plain)
        self.assertFalse(arch.xpath("//widget[@name='kvk_search_register'] | //page[@name='kvk_register']"))
        self.assertFalse(arch.xpath("//button[@name='action_kvk_print_extract' or @name='action_kvk_queries']"))

    def test_following_register_changes_shows_where_the_register_does(self):
        arch = self.form(self.salesperson)
        (enrol,) = arch.xpath("//button[@name='action_kvk_enrol']")
        self.assertIn("not kvk_applies", enrol.get("invisible"))
        self.assertTrue(enrol.xpath("ancestor::page[@name='kvk_register']"), "inside the KvK tab")
        (inbox,) = arch.xpath("//button[@name='action_kvk_reviews']")
        self.assertIn("not kvk_applies", inbox.get("invisible"))
        arch = self.form(self.plain)
        self.assertFalse(
            arch.xpath(
                "//button[@name='action_kvk_enrol' or @name='action_kvk_end_enrolment' or @name='action_kvk_reviews']"
            )
        )

    def test_the_groups_sit_under_the_addons_own_heading(self):
        ours = self.env["res.groups"].search(
            [("category_id.parent_id", "=", self.env.ref("kvk_connector.module_category_kvk_connector_root").id)]
        )
        self.assertEqual(
            set(ours.mapped(lambda group: group.get_external_id()[group.id])),
            {
                "kvk_connector.group_kvk_user",
                "kvk_connector.group_kvk_manager",
                "kvk_connector.group_kvk_auditor",
                "kvk_connector.group_kvk_integration",
                "kvk_connector.group_kvk_confidential",
            },
        )
        rows = {
            app.get_external_id().get(app.id): (kind, groups, category)
            for app, kind, groups, category in self.env["res.groups"].get_groups_by_application()
            if groups & ours
        }
        self.assertEqual(
            set(rows),
            {"kvk_connector.module_category_kvk_connector", "kvk_connector.module_category_kvk_connector_extra"},
        )
        kind, groups, category = rows["kvk_connector.module_category_kvk_connector"]
        self.assertEqual((kind, category[1]), ("selection", "KvK Handelsregister"), "a box of its own, not 'Other'")
        self.assertEqual(groups.mapped("name"), ["User", "Administrator"])
        kind, groups, _category = rows["kvk_connector.module_category_kvk_connector_extra"]
        self.assertEqual(kind, "boolean")
        self.assertEqual(
            set(groups.mapped("name")), {"Query Log Auditor", "Integration Endpoint", "Confidential Register Data"}
        )
        # and so the user form shows them
        user_form = self.env.ref("base.user_groups_view").arch
        self.assertIn('string="KvK Handelsregister"', user_form)
        self.assertIn('string="KvK Handelsregister: extra rights"', user_form)

    def test_the_apps_entry_says_what_the_addon_does(self):
        module = self.env["ir.module.module"].search([("name", "=", "kvk_connector")])
        for words in ("suggestions while typing", "search", "query log", "register extracts"):
            self.assertIn(words, module.summary.lower())
        description = module.description_html
        for words in ("Search register", "Suggestions while typing", "Test connection", "Query log"):
            self.assertIn(words, description)
        self.assertNotIn("not built yet", description)
