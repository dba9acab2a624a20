"""ClientOnline's button and tab on the contacts it concerns, for its users; its rights under a heading of
their own in the user form; the Apps entry says what the addon does."""

from lxml import etree

from odoo.tests import new_test_user, tagged

from .common import ClientOnlineCase


@tagged("post_install", "-at_install")
class TestVisibility(ClientOnlineCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain = new_test_user(
            cls.env,
            login="co-vis-plain",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
        )
        cls.nl, cls.be = cls.env.ref("base.nl"), cls.env.ref("base.be")

    def test_clientonline_applies_to_the_offices_dutch_clients(self):
        Partner = self.env["res.partner"]
        dutch = Partner.create({"name": "Bakkerij", "is_company": True, "country_id": self.nl.id})
        nowhere = Partner.create({"name": "Zonder land", "is_company": True})
        person = Partner.create({"name": "Fam. Jansen", "country_id": self.nl.id})  # income tax returns
        belgian = Partner.create({"name": "Bakkerij Gent BV", "is_company": True, "country_id": self.be.id})
        employee = Partner.create({"name": "Piet", "parent_id": dutch.id})
        self.assertEqual(
            [p.client_online_applies for p in (dutch, nowhere, person, belgian, employee)],
            [True, True, True, False, False],
        )
        # a foreign company the portal or the Dutch tax office knows by a number on its card is a client too
        belgian.client_online_hidden_id = "100009"
        self.assertTrue(belgian.client_online_applies)
        belgian.write({"client_online_hidden_id": False, "client_online_ob_number": "001000044B37"})
        self.assertTrue(belgian.client_online_applies)

    def form(self, user):
        return etree.fromstring(self.env["res.partner"].with_user(user).get_view(view_type="form")["arch"])

    def test_the_button_and_tab_only_for_clientonline_users(self):
        arch = self.form(self.accountant)
        (button,) = arch.xpath("//button[@name='action_client_online_send']")
        self.assertEqual(button.get("invisible"), "not client_online_applies")
        (page,) = arch.xpath("//page[@name='client_online']")
        self.assertEqual(page.get("invisible"), "not client_online_applies")
        (stat,) = arch.xpath("//button[@name='action_client_online_documents']")
        self.assertEqual(stat.get("invisible"), "not client_online_document_count")
        arch = self.form(self.plain)
        self.assertFalse(
            arch.xpath(
                "//button[starts-with(@name, 'action_client_online')] | //page[@name='client_online'] | "
                "//field[@name='client_online_bsn']"
            )
        )
        # and not in every contact's Action menu: the button is the way in
        bindings = self.env["ir.actions.act_window"].search(
            [("res_model", "=", "client.online.send.wizard"), ("binding_model_id.model", "=", "res.partner")]
        )
        self.assertFalse(bindings)

    def test_the_groups_sit_under_the_addons_own_heading(self):
        root = self.env.ref("client_online_connector.module_category_client_online_connector_root")
        ours = self.env["res.groups"].search([("category_id.parent_id", "=", root.id)])
        self.assertEqual(
            set(ours.mapped(lambda group: group.get_external_id()[group.id])),
            {"client_online_connector.group_client_online_user", "client_online_connector.group_client_online_manager"},
        )
        rows = {
            app.get_external_id().get(app.id): (kind, groups, category)
            for app, kind, groups, category in self.env["res.groups"].get_groups_by_application()
            if groups & ours
        }
        self.assertEqual(set(rows), {"client_online_connector.module_category_client_online_connector"})
        kind, groups, category = rows["client_online_connector.module_category_client_online_connector"]
        self.assertEqual((kind, category[1]), ("selection", "ClientOnline"), "a box of its own, not 'Other'")
        self.assertEqual(groups.mapped("name"), ["User", "Administrator"])
        user_form = self.env.ref("base.user_groups_view").arch
        self.assertIn('string="ClientOnline"', user_form)

    def test_the_apps_entry_says_what_the_addon_does(self):
        module = self.env["ir.module.module"].search([("name", "=", "client_online_connector")])
        summary = module.summary.lower()
        for words in ("xbrl", "pdf", "clientonline", "approval", "folder"):
            self.assertIn(words, summary)
        description = " ".join(module.description_html.split())  # the Apps page: static/description/index.html
        for words in (
            "Send for approval",
            "folder",
            "identifier",
            "Test connection",
            "Portal calls",
            "Job runs",
            "sandbox",
        ):
            self.assertIn(words, description)
