from odoo.tests import new_test_user, tagged

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
