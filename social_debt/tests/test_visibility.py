"""The Social Debt tab, badge and buttons on the right partners for the right users; the addon's
rights under a heading of their own in the user form; the Apps entry says what the addon does."""

from lxml import etree

from odoo.tests import tagged

from .common import NO_DEBT, SocialDebtCase


@tagged("post_install", "-at_install")
class TestVisibility(SocialDebtCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.be, cls.cz, cls.nl = cls.env.ref("base.be"), cls.env.ref("base.cz"), cls.env.ref("base.nl")

    def partner(self, name, **values):
        return self.env["res.partner"].create({"name": name, **values})

    def test_the_service_applies_to_belgian_suppliers_and_suppliers_without_a_country(self):
        belgian_supplier = self.partner("Dakwerken BV", is_company=True, country_id=self.be.id, supplier_rank=1)
        new_belgian = self.partner("Nieuwe Aannemer BV", is_company=True, country_id=self.be.id)
        nowhere = self.partner("Zonder Land BV", is_company=True, supplier_rank=2)
        by_vat = self.partner("Aannemer Lille SARL", is_company=True, country_id=self.env.ref("base.fr").id,
                              vat="BE0403019261", supplier_rank=1)  # fmt: skip
        customer = self.partner("Klant NV", is_company=True, country_id=self.be.id, customer_rank=3)
        customer_and_supplier = self.partner(
            "Klant en Leverancier NV", is_company=True, country_id=self.be.id, customer_rank=3, supplier_rank=1
        )
        contractor = self.partner("Klant Aannemer NV", is_company=True, country_id=self.be.id, customer_rank=3,
                                  social_debt_scope="art30bis")  # fmt: skip
        czech = self.partner("Stavby s.r.o.", is_company=True, country_id=self.cz.id, supplier_rank=1)
        dutch = self.partner("Bouw B.V.", is_company=True, country_id=self.nl.id, supplier_rank=1)
        person = self.partner("Jan Peeters", country_id=self.be.id)
        sole_trader = self.partner("Jan Janssens", country_id=self.be.id, supplier_rank=1)
        employee = self.partner("Piet", parent_id=belgian_supplier.id)
        expected = {
            belgian_supplier: True,
            new_belgian: True,
            nowhere: True,
            by_vat: True,
            customer: False,
            customer_and_supplier: True,
            contractor: True,
            czech: False,
            dutch: False,
            person: False,
            sole_trader: True,
            employee: False,
        }
        self.assertEqual({p.name: p.social_debt_applies for p in expected}, {p.name: v for p, v in expected.items()})
        # a partner checked once keeps its verdict in sight, wherever its address moves
        checked = self.supplier(NO_DEBT, "Verhuisd BV")
        self.env["social.debt.service"]._check_partners(checked)
        checked.country_id = self.nl
        self.assertTrue(checked.social_debt_applies)

    def form(self, user):
        return etree.fromstring(self.env["res.partner"].with_user(user).get_view(view_type="form")["arch"])

    def test_the_tab_and_buttons_only_for_social_debt_users(self):
        arch = self.form(self.checker)
        (page,) = arch.xpath("//page[@name='social_debt']")
        self.assertEqual(page.get("invisible"), "not social_debt_applies")
        self.assertEqual(len(page.xpath(".//button[@name='action_social_debt_check']")), 1)
        (alert,) = arch.xpath("//div[hasclass('o_social_debt_invalid_number')]")
        self.assertIn("not social_debt_applies", alert.get("invisible"))
        for user in (self.clerk, self.internal):
            with self.subTest(user=user.login):
                arch = self.form(user)
                self.assertFalse(arch.xpath("//page[@name='social_debt']"))
                self.assertFalse(arch.xpath("//button[starts-with(@name, 'action_social_debt')]"))
                self.assertFalse(arch.xpath("//div[hasclass('o_social_debt_invalid_number')]"))

    def test_the_badge_in_the_list_and_the_filters_only_for_social_debt_users(self):
        Partner = self.env["res.partner"]
        arch = etree.fromstring(Partner.with_user(self.checker).get_view(view_type="list")["arch"])
        (badge,) = arch.xpath("//field[@name='social_debt_verdict']")
        self.assertEqual(badge.get("invisible"), "not social_debt_applies")
        search = etree.fromstring(Partner.with_user(self.checker).get_view(view_type="search")["arch"])
        self.assertTrue(search.xpath("//filter[@name='social_debt_with_debt']"))
        arch = etree.fromstring(Partner.with_user(self.clerk).get_view(view_type="list")["arch"])
        self.assertFalse(arch.xpath("//field[starts-with(@name, 'social_debt')]"))
        search = etree.fromstring(Partner.with_user(self.clerk).get_view(view_type="search")["arch"])
        self.assertFalse(search.xpath("//filter[starts-with(@name, 'social_debt')]"))
        # and the grouped check in the list's Actions menu
        bindings = Partner.with_user(self.clerk).get_views([(False, "list")], {"toolbar": True})
        actions = bindings["views"]["list"].get("toolbar", {}).get("action", [])
        self.assertNotIn("Check social debt (grouped)", [action["name"] for action in actions])

    def test_the_groups_sit_under_the_addons_own_heading(self):
        root = self.env.ref("social_debt.module_category_social_debt_root")
        ours = self.env["res.groups"].search([("category_id.parent_id", "=", root.id)])
        self.assertEqual(
            set(ours.mapped(lambda group: group.get_external_id()[group.id])),
            {"social_debt.group_social_debt_user", "social_debt.group_social_debt_manager"},
        )
        rows = [
            (kind, groups, category)
            for _app, kind, groups, category in self.env["res.groups"].get_groups_by_application()
            if groups & ours
        ]
        self.assertEqual(len(rows), 1)
        ((kind, groups, category),) = rows
        self.assertEqual((kind, category[1]), ("selection", "Social Debt (RSZ/ONSS)"), "a box of its own, not 'Other'")
        self.assertEqual(groups.mapped("name"), ["User", "Administrator"])
        self.assertIn('string="Social Debt (RSZ/ONSS)"', self.env.ref("base.user_groups_view").arch)

    def test_the_apps_entry_says_what_the_addon_does(self):
        module = self.env["ir.module.module"].search([("name", "=", "social_debt")])
        for words in ("belgian suppliers", "rsz", "proof", "withholding", "payment"):
            self.assertIn(words, module.summary.lower())
        description = module.description_html
        for words in ("Check now", "Test connection", "art. 30bis", "grouped", "Job Runs", "sandbox"):
            self.assertIn(words, description)
