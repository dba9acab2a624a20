"""The inbox's screens explain themselves: lists that say what will appear, schedules with their unit,
records named in words."""

from lxml import etree, html

from odoo.tests import Form, tagged

from .common_inbox import KvkInboxCase

DONALD, DONALD_MAIN = "68750110", "000037178598"


@tagged("post_install", "-at_install")
class TestInboxScreens(KvkInboxCase):
    def help_words(self, action):
        return html.fromstring(str(action["help"] if isinstance(action, dict) else action.help)).text_content().split()

    def test_every_list_that_can_be_empty_says_what_will_appear(self):
        for xmlid in (
            "kvk_review_action",
            "kvk_review_action_updates",
            "kvk_review_action_deleted",
            "kvk_review_action_new",
            "kvk_enrolment_action",
            "kvk_register_entry_action",
            "kvk_register_change_action",
            "kvk_signal_action",
            "kvk_subscription_action",
            "kvk_profile_action",
            "kvk_import_job_action",
        ):
            with self.subTest(action=xmlid):
                self.assertGreater(len(self.help_words(self.env.ref(f"kvk_connector.{xmlid}"))), 15)
        profile = self.env["kvk.profile"].create({"name": "Empty", "company_id": self.company.id})
        self.assertGreater(len(self.help_words(profile.action_view_enrolments())), 15)
        self.assertGreater(len(self.help_words(profile.action_view_new())), 15)

    def test_lists_inside_forms_say_so_too_while_empty(self):
        for model, css in (
            ("kvk.register.entry", "o_kvk_history_empty"),
            ("kvk.profile", "o_kvk_imports_empty"),
            ("kvk.profile", "o_kvk_selection_empty"),
        ):
            with self.subTest(model=model, css=css):
                arch = etree.fromstring(self.env[model].get_view(view_type="form")["arch"])
                (note,) = arch.xpath(f"//p[contains(@class, '{css}')]")
                self.assertGreater(len(" ".join(note.itertext()).split()), 10)
                self.assertTrue(note.get("invisible"))

    def test_schedules_carry_their_unit(self):
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= self.company
        settings = Form(self.env["res.config.settings"].with_user(admin).with_company(self.company))
        self.assertEqual(settings.kvk_signals_schedule, "every 15 minutes")
        self.assertEqual(settings.kvk_digest_schedule, "every week")
        self.env.ref("kvk_connector.ir_cron_kvk_connector_digest").active = False
        settings = Form(self.env["res.config.settings"].with_user(admin).with_company(self.company))
        self.assertIn("switched off", settings.kvk_digest_schedule)
        arch = self.env.ref("kvk_connector.res_config_settings_view_form_kvk_inbox").arch
        self.assertRegex(arch, r'<field name="kvk_signal_retention_days" class="oe_inline"/> days')

    def test_records_are_named_in_words(self):
        subscription = self.env["kvk.subscription"]._kvk_for_company(self.company)
        self.assertEqual(subscription.display_name, self.company.name, "no placeholder for a subscription not read yet")
        donald = self.link(DONALD, DONALD_MAIN)
        entry = self.env["kvk.register.entry"].search(
            [("company_id", "=", self.company.id), ("registration", "=", DONALD)]
        )
        change = entry.history_ids.filtered(lambda c: c.key == "name")
        self.assertEqual(change.display_name, f"{DONALD}: Name")
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        item = self.items(donald)
        self.assertEqual(item.line_ids.display_name, f"{item.name}: Name")
        enrolment = donald._kvk_enrolments()
        self.assertEqual(enrolment.display_name, f"{donald.display_name} ({DONALD})")
        for record in (subscription, change, item, item.line_ids, enrolment):
            self.assertNotIn(",", record.display_name.replace(", ", ""), "not the model and id of the record")
