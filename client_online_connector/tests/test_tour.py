import os

from odoo.tests import tagged

from .common import FOLDERS, ClientOnlineHttpCase, minimal_pdf


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
