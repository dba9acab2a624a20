import json
import os
import re

from odoo.tests import tagged
from odoo.tools import convert_file, file_open
from odoo.tools.translate import PoFileReader

from .common import FOLDERS, ClientOnlineHttpCase, minimal_pdf, samples


@tagged("post_install", "-at_install")
class TestTour(ClientOnlineHttpCase):
    def test_send_a_pdf_approve_it_and_find_it_filed(self):
        admin = self.env.ref("base.user_admin")
        office = admin.company_id
        folders = {}
        for key in FOLDERS:
            folders[f"client_online_folder_{key}"] = path = os.path.join(self.root, "tour", key)
            os.makedirs(path)
        office.write(
            {
                "client_online_mode": "sandbox",
                "client_online_username": "sandbox-tour",
                "client_online_password": "sandbox",
                "client_online_responsible_id": admin.id,
                **folders,
            }
        )
        client = self.env["res.partner"].create(
            {"name": "Bakkerij De Korenschoof", "is_company": True, "company_registry": "61234567"}
        )
        self.env["ir.attachment"].create(
            {"name": "jaarrekening 2024.pdf", "raw": minimal_pdf("jaarrekening"), "res_model": "res.partner",
             "res_id": client.id}
        )  # fmt: skip
        self.start_tour(f"/odoo/contacts/{client.id}", "client_online_connector_send_tour", login="admin")
        document = self.env["client.online.document"].search([("partner_id", "=", client.id)])
        self.assertRecordValues(document, [{"state": "sent", "company_id": office.id, "user_id": admin.id}])
        (placed,) = self.portal_documents("sandbox-tour")
        self.assertEqual((placed["name"], placed["client"]), ("jaarrekening 2024.pdf", "100001"))

        self.portal_act(document, "approve")  # the client approves in the portal

        self.start_tour(
            "/odoo/action-client_online_connector.client_online_document_action",
            "client_online_connector_follow_tour",
            login="admin",
        )
        self.assertEqual(document.state, "approved")
        approved = folders["client_online_folder_approved"]
        self.assertEqual(os.listdir(approved), ["jaarrekening 2024.pdf"])
        with open(os.path.join(approved, "jaarrekening 2024.pdf"), "rb") as handle:
            self.assertEqual(handle.read(), minimal_pdf("jaarrekening"))


@tagged("post_install", "-at_install")
class TestDemoAndSettingsTours(ClientOnlineHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env.ref("base.user_admin").lang = "en_US"

    def test_the_demo_sends_on_the_first_click(self):
        """The addon's demo data, loaded here: the demo accountant sends the demo declaration from its client,
        the demo company logging in with the sandbox's documented account as the demo has it."""
        convert_file(
            self.env, "client_online_connector", "demo/client_online_connector_demo.xml", {}, mode="init", kind="demo"
        )
        office = self.env.ref("base.main_company").sudo()
        office.write({"client_online_username": False, "client_online_password": False})  # as a new demo has it
        bram = self.env.ref("client_online_connector.demo_user_client_online_accountant")
        self.assertEqual(office.client_online_responsible_id, bram)
        self.start_tour("/odoo/contacts", "client_online_connector_demo_tour", login="bram")
        sbr = self.env.ref("client_online_connector.demo_partner_sbr")
        document = self.env["client.online.document"].search([("partner_id", "=", sbr.id)])
        self.assertRecordValues(document, [{"state": "sent", "user_id": bram.id, "company_id": office.id}])
        (placed,) = self.portal_documents("sandbox-demo")
        self.assertEqual((placed["name"], placed["client"]), ("ob-aangifte 2025-Q3.xbrl", "100004"))

    def test_settings(self):
        office = self.env.ref("base.user_admin").company_id
        office.write(
            {"client_online_mode": "sandbox", "client_online_username": False, "client_online_password": False}
        )
        folders = {}
        for key in FOLDERS:
            folders[f"client_online_folder_{key}"] = path = os.path.join(self.root, "settings", key)
            os.makedirs(path)
        office.write({**folders, "client_online_settle_seconds": 0})
        with open(os.path.join(folders["client_online_folder_inbox"], "61234567_brief.pdf"), "wb") as handle:
            handle.write(minimal_pdf("brief"))
        self.run_job(office)
        self.start_tour(
            "/odoo/settings#client_online_connector", "client_online_connector_settings_tour", login="admin"
        )
        self.assertEqual(office.client_online_mode, "sandbox", "the tour did not save")
        login = self.env["client.online.attempt"].search(
            [("company_id", "=", office.id), ("operation", "=", "login")], limit=1
        )
        self.assertRecordValues(login, [{"outcome": "ok", "params": '{"user": "sandbox-demo"}'}])


def fragments(text):
    """The texts of a translatable term as a page shows them: apart at its markup, spaces collapsed."""
    return {" ".join(part.split()) for part in re.split(r"<[^>]+>", text) if part.strip()}


@tagged("post_install", "-at_install")
class TestDutchTour(ClientOnlineHttpCase):
    """An administrator of the office switches to Dutch: the addon's screens have no English left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["client_online_connector"], ["nl_NL"], overwrite=True)
        admin = cls.env.ref("base.user_admin")
        admin.lang = "en_US"
        cls.office = admin.company_id.sudo()
        folders = {}
        for key in FOLDERS:
            folders[f"client_online_folder_{key}"] = path = os.path.join(cls.root, "dutch", key)
            os.makedirs(path)
        cls.office.write(
            {"client_online_mode": "sandbox", "client_online_username": False, "client_online_password": False,
             "client_online_settle_seconds": 0, "client_online_responsible_id": admin.id, **folders}
        )  # fmt: skip
        cls.client = cls.env["res.partner"].create(
            {"name": "Testbedrijf SBR B.V.", "is_company": True, "company_registry": "30267975",
             "client_online_ob_number": "001000044B37", "country_id": cls.env.ref("base.nl").id}
        )  # fmt: skip
        declaration = samples.ob_declaration("001000044B37", *samples.quarter(2025, 3))
        cls.env["ir.attachment"].create(
            {"name": "ob-aangifte 2025-Q3.xbrl", "raw": declaration, "res_model": "res.partner",
             "res_id": cls.client.id}
        )  # fmt: skip
        cls.korenschoof = cls.env["res.partner"].create(
            {"name": "Bakkerij De Korenschoof B.V.", "is_company": True, "company_registry": "61234567"}
        )
        # the terms of the addon's Dutch translation that differ from their English: none may show
        english = set()
        with file_open("client_online_connector/i18n/nl.po", "rb") as po:
            for entry in PoFileReader(po):
                if entry["value"]:
                    english |= fragments(entry["src"]) - fragments(entry["value"])
        cls.env["ir.config_parameter"].set_param(
            "client_online_connector.tour_english_terms", json.dumps(sorted(english))
        )

    def setUp(self):
        super().setUp()
        inbox = self.office.client_online_folder_inbox
        with open(os.path.join(inbox, "61234567_brief.pdf"), "wb") as handle:
            handle.write(minimal_pdf("brief"))
        xbrl = self.env["ir.attachment"].search([("res_id", "=", self.client.id), ("res_model", "=", "res.partner")])
        wizard = (
            self.env["client.online.send.wizard"]
            .with_company(self.office)
            .with_context(active_model="res.partner", active_id=self.client.id)
            .create({"attachment_id": xbrl.id})
        )
        self.document = self.env["client.online.document"].browse(wizard.action_send()["res_id"])
        self.run_job(self.office)
        self.assertEqual(self.document.state, "sent")

    def test_dutch_screens(self):
        self.assertTrue(self.env["res.lang"]._lang_get("nl_NL").active)
        self.start_tour(f"/odoo/contacts/{self.client.id}", "client_online_connector_dutch_tour", login="admin")
        self.assertEqual(self.env.ref("base.user_admin").lang, "nl_NL")
