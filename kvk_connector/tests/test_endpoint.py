from lxml import etree

from odoo.tests import new_test_user, tagged
from odoo.tools import file_open

from .common import KvkHttpCase

NS = {"k": "urn:register-connectors:kvk:register:1"}


@tagged("post_install", "-at_install")
class TestRegisterEndpoint(KvkHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with file_open("kvk_connector/schemas/kvk_register.xsd", "rb") as xsd:
            cls.schema = etree.XMLSchema(etree.parse(xsd, etree.XMLParser(resolve_entities=False, no_network=True)))
        cls.system = new_test_user(
            cls.env,
            login="kvk-crm-system",
            groups="base.group_user,kvk_connector.group_kvk_integration",
            company_id=cls.company.id,
        )
        cls.key = cls.env["res.users.apikeys"].with_user(cls.system).sudo()._generate(None, "CRM", False)
        cls.outsider = new_test_user(cls.env, login="kvk-outsider", groups="base.group_user", company_id=cls.company.id)
        cls.outsider_key = cls.env["res.users.apikeys"].with_user(cls.outsider).sudo()._generate(None, "other", False)

    def get(self, key=None, **params):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = self.url_open("/kvk/register?" + "&".join(f"{k}={v}" for k, v in params.items()), headers=headers)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(response.content, parser)
        self.schema.assertValid(root)
        return response, root

    def test_refused_without_key(self):
        response, root = self.get(kvkNummer="68750110")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(root.findtext("k:code", namespaces=NS), "unauthorized")
        response, root = self.get("not-a-key", kvkNummer="68750110")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.kvk_calls(), [])

    def test_refused_outside_the_group(self):
        response, root = self.get(self.outsider_key, kvkNummer="68750110")
        self.assertEqual(response.status_code, 403)

    def test_profile_answer_is_valid_xml(self):
        response, root = self.get(self.key, kvkNummer="68750110")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/xml; charset=utf-8")
        self.assertEqual(root.tag, "{urn:register-connectors:kvk:register:1}profile")
        self.assertEqual(root.findtext("k:rsin", namespaces=NS), "857587973")
        self.assertEqual(root.findtext("k:foundingDate", namespaces=NS), "20170300")
        self.assertEqual(root.find("k:activity", NS).get("code"), "01241")
        log = self.company_logs([("user_id", "=", self.system.id)])
        self.assertRecordValues(log, [{"channel": "integration", "product": "basisprofiel", "state": "done"}])

    def test_branch_and_search_answers(self):
        response, root = self.get(self.key, vestigingsnummer="000037178601", kvkNummer="68750110")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(root.findtext("k:branchNumber", namespaces=NS), "000037178601")
        response, root = self.get(self.key, naam="Donald", type="hoofdvestiging")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(root.get("total"), "1")
        self.assertEqual(root.findtext("k:hit/k:kind", namespaces=NS), "hoofdvestiging")

    def test_monthly_cap_answers_429(self):
        self.company.kvk_monthly_cap = 0.01
        self.env.flush_all()  # the endpoint reads the company in the server's own environment
        response, root = self.get(self.key, kvkNummer="68750110")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(root.findtext("k:code", namespaces=NS), "cap")
        self.assertEqual(self.kvk_calls("/kvk/api/v1/"), [])

    def test_errors_are_xml_with_status(self):
        cases = [
            ({"kvkNummer": "123"}, 400, "IPD0004"),
            ({"kvkNummer": "12345678"}, 404, "IPD0005"),
            ({"kvkNummer": "90004973"}, 503, "IPD1002"),
            ({"kvkNummer": "90002903"}, 502, "IPD9999"),
            ({"bogus": "1"}, 400, "parameter"),
            ({}, 400, "parameter"),
            ({"naam": "Donald", "type": "filiaal"}, 400, "IPD5203"),
            ({"naam": "Donald", "pagina": "twee"}, 400, "parameter"),
        ]
        for params, status, code in cases:
            with self.subTest(params=params):
                response, root = self.get(self.key, **params)
                self.assertEqual(response.status_code, status)
                self.assertEqual(root.findtext("k:code", namespaces=NS), code)
                self.assertTrue(root.findtext("k:message", namespaces=NS))
        logged = self.company_logs([("channel", "=", "integration")])
        self.assertEqual(sorted(logged.mapped("error_code")), ["IPD0005", "IPD1002", "IPD5203", "IPD9999"])
