"""The CreditCheck line on the right partners for the right users; the addon's rights in the user form."""

from lxml import etree

from odoo.tests import new_test_user, tagged

from .common import SAZKA, CreditcheckCase

SK_ICO = "35757442"
KVK_NUMBER = "55505201"  # a Dutch KvK number that happens to pass the IČO check digit


@tagged("post_install", "-at_install")
class TestVisibility(CreditcheckCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain = new_test_user(cls.env, login="cc-vis-plain", groups="base.group_user,base.group_partner_manager")

    def test_the_semaphore_applies_to_czech_and_slovak_subjects(self):
        Partner = self.env["res.partner"]
        nl, de = self.env.ref("base.nl"), self.env.ref("base.de")
        czech = Partner.create(
            {"name": "Sazka a.s.", "is_company": True, "company_registry": SAZKA, "country_id": self.cz.id}
        )
        slovak = Partner.create(
            {"name": "Slovnaft", "is_company": True, "company_registry": SK_ICO, "country_id": self.sk.id}
        )
        czech_without_ico = Partner.create({"name": "Nová firma s.r.o.", "is_company": True, "country_id": self.cz.id})
        dutch = Partner.create(
            {"name": "Bakkerij B.V.", "is_company": True, "company_registry": KVK_NUMBER, "country_id": nl.id}
        )
        nowhere_kvk = Partner.create({"name": "Zonder land", "is_company": True, "company_registry": KVK_NUMBER})
        nowhere_cz_vat = Partner.create({"name": "Bez země", "is_company": True, "vat": "CZ47116307"})
        nowhere_sk_vat = Partner.create({"name": "Bez krajiny", "is_company": True, "vat": f"SK{SK_ICO}"})
        german = Partner.create({"name": "GmbH", "is_company": True, "company_registry": SAZKA, "country_id": de.id})
        czech_person = Partner.create({"name": "Jan Novák", "country_id": self.cz.id})
        employee = Partner.create({"name": "Jana Dvořáková", "parent_id": czech.id})
        partners = [
            czech, slovak, czech_without_ico, dutch, nowhere_kvk, nowhere_cz_vat, nowhere_sk_vat, german,
            czech_person, employee,
        ]  # fmt: skip
        self.assertEqual(
            [(p.creditcheck_ico, p.creditcheck_country) for p in partners],
            [
                (SAZKA, "cz"),
                (SK_ICO, "sk"),
                (False, False),
                (False, False),
                (False, False),  # a bare registry number without a country may be any country's
                (SAZKA, "cz"),
                (SK_ICO, "sk"),  # the VAT number's prefix gives the country
                (False, False),
                (False, False),
                (False, False),  # the company's subject, not the person's
            ],
        )
        self.assertEqual(
            [p.creditcheck_applies for p in partners], [True, True, True, False, False, True, True, False, False, True]
        )
        self.assertEqual(
            [p.creditcheck_badge for p in partners],
            ["grey", "grey", "grey", False, False, "grey", "grey", False, False, "grey"],
        )

    def form(self, user):
        return etree.fromstring(self.env["res.partner"].with_user(user).get_view(view_type="form")["arch"])

    def test_the_header_and_buttons_only_for_creditcheck_users(self):
        arch = self.form(self.salesman)
        (header,) = arch.xpath("//div[hasclass('o_creditcheck_header')]")
        self.assertEqual(header.get("invisible"), "not creditcheck_applies")
        buttons = {button.get("name") for button in header.xpath(".//button")}
        self.assertEqual(
            buttons,
            {"action_creditcheck_acknowledge", "action_creditcheck_unacknowledge", "action_creditcheck_check_now"},
        )  # deactivation is for administrators
        self.assertTrue(arch.xpath("//page[@name='creditcheck']"))
        self.assertTrue(arch.xpath("//button[@name='action_creditcheck_events']"))
        arch = self.form(self.manager)
        self.assertTrue(arch.xpath("//button[@name='action_creditcheck_deactivate']"))
        # without the group: no header, badge, button or tab
        arch = self.form(self.plain)
        self.assertFalse(arch.xpath("//div[hasclass('o_creditcheck_header')] | //page[@name='creditcheck']"))
        self.assertFalse(arch.xpath("//button[starts-with(@name, 'action_creditcheck')]"))
        for view_type in ("list", "kanban"):
            arch = self.env["res.partner"].with_user(self.plain).get_view(view_type=view_type)["arch"]
            self.assertNotIn("creditcheck_badge", arch)
            arch = self.env["res.partner"].with_user(self.salesman).get_view(view_type=view_type)["arch"]
            self.assertIn("creditcheck_badge", arch)

    def test_the_groups_sit_under_the_addons_own_heading(self):
        root = self.env.ref("creditcheck_semaphore.module_category_creditcheck_semaphore_root")
        ours = self.env["res.groups"].search([("category_id.parent_id", "=", root.id)])
        self.assertEqual(
            set(ours.mapped(lambda group: group.get_external_id()[group.id])),
            {"creditcheck_semaphore.group_creditcheck_user", "creditcheck_semaphore.group_creditcheck_manager"},
        )
        rows = [
            (kind, groups, category)
            for _app, kind, groups, category in self.env["res.groups"].get_groups_by_application()
            if groups & ours
        ]
        self.assertEqual(len(rows), 1)
        kind, groups, category = rows[0]
        self.assertEqual((kind, category[1]), ("selection", "CreditCheck"), "a box of its own, not 'Other'")
        self.assertEqual(groups.mapped("name"), ["User", "Administrator"])
        self.assertIn('string="CreditCheck"', self.env.ref("base.user_groups_view").arch)

    def test_the_apps_entry_says_what_the_addon_does(self):
        module = self.env["ir.module.module"].search([("name", "=", "creditcheck_semaphore")])
        for words in ("czech and slovak", "badge", "nightly", "alerts"):
            self.assertIn(words, module.summary.lower())
        description = module.description_html
        for words in ("Test connection", "Acknowledge", "Check now", "Undo", "Which partners", "without a country"):
            self.assertIn(words, description)
