import base64
import io

from odoo import Command
from odoo.tests import new_test_user, tagged

from sandbox import kvk_bulk as sandbox_bulk

from .common_inbox import KvkInboxHttpCase


@tagged("post_install", "-at_install")
class TestInboxTour(KvkInboxHttpCase):
    def test_inbox_tour(self):
        """A signal arrives, the inbox shows the field diff, accepting one field writes only that field."""
        admin = self.env.ref("base.user_admin")
        company = admin.company_id
        company.write({"kvk_mode": "sandbox", "kvk_api_key": "sandbox-tour", "kvk_use_mutaties": True})
        self.env["res.lang"]._activate_lang("en_US")  # a database loaded with other languages may lack it
        reviewer = new_test_user(
            self.env,
            login="kvk-tour-reviewer",
            password="kvk-tour-reviewer",
            groups="base.group_user,base.group_partner_manager,kvk_connector.group_kvk_user",
            company_id=company.id,
            lang="en_US",  # the database's first language may be another: the tour reads English labels
        )
        donald = self.link("68750110", "000037178598", company=company)
        old_name = donald.name
        self.emit("changed", "68750110", blocks=["maOnderneming"], change="name")
        (site,) = self.emit("changed", "68750110", blocks=["eigenaar"])
        new_site = site["changes"][0].split(" -> ")[1]
        self.run_signals()
        (item,) = self.items(donald, company=company)
        self.assertEqual({line.key for line in item.line_ids}, {"name", "website"})
        self.start_tour(
            "/odoo/action-kvk_connector.kvk_review_action", "kvk_connector_inbox_tour", login="kvk-tour-reviewer"
        )
        self.assertEqual(donald.website, f"https://{new_site}")
        self.assertEqual(donald.name, old_name, "only the accepted field was written")
        self.assertEqual(item.state, "partial")
        self.assertEqual(item.line_ids.filtered(lambda line: line.key == "website").decided_by, reviewer)


@tagged("post_install", "-at_install")
class TestDutchInboxTour(KvkInboxHttpCase):
    """A KvK administrator switches to Dutch: the inbox's tabs, a review item and a profile have no English left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="kvk-beheerder",
            password="kvk-beheerder",
            groups="base.group_user,base.group_partner_manager,kvk_connector.group_kvk_manager",
            company_id=cls.company.id,
            lang="en_US",
            tz="Europe/Amsterdam",
        )

    def test_dutch_inbox_and_profile(self):
        self.assertTrue(self.env["res.lang"]._lang_get("nl_NL").active, "make test loads Dutch")
        # an update (name and website) and a deletion, made in English (the company's language)
        donald = self.link("68750110", "000037178598")
        self.emit("changed", "68750110", blocks=["maOnderneming"], change="name")
        self.emit("changed", "68750110", blocks=["eigenaar"])
        katrien = self.link("68727720", "000037143557")
        self.emit("ended", "68727720", reason="OO")
        self.run_signals()
        self.assertEqual(self.items(donald).kind, "update")
        self.assertEqual(self.items(katrien).kind, "deleted")
        self.assertIn("ended on", self.items(katrien).summary)
        # a profile whose bulk file was tested
        out = io.BytesIO()
        sandbox_bulk.write(out, 2000, bad_every=400)
        profile = self.env["kvk.profile"].create(
            {
                "name": "Sport in Den Bosch",
                "company_id": self.company.id,
                "sbi_include": "93 47",
                "postcodes": "5200-5500",
                "municipalities": "'s-Hertogenbosch",
                "legal_form_ids": [Command.set(self.env["kvk.criterion.value"].search([("key", "=", "bv")]).ids)],
                "sbi_exclude": "9329",
                "main_branches_only": True,
                "bulk_file": base64.b64encode(out.getvalue()),
                "bulk_filename": "kvk-bulk.csv",
            }
        )
        profile.with_user(self.manager).action_test_selection()
        self.assertEqual(profile.selection_band, "below")
        self.start_tour("/odoo/contacts", "kvk_connector_dutch_inbox_tour", login="kvk-beheerder")
        self.assertEqual(self.manager.lang, "nl_NL")
