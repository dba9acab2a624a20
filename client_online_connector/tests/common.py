import json
import os
import shutil
import tempfile
import time
from urllib.request import Request, urlopen

from odoo.tests import HttpCase, TransactionCase, new_test_user

from ..models.client_online_service import SANDBOX_URL_PARAM

try:
    from sandbox.services import clientonline_data as samples
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError(
        "client_online_connector's tests talk to the project's sandbox: put the repository root on "
        "PYTHONPATH (make test does)"
    ) from exc

FOLDERS = ("inbox", "approved", "rejected", "not_found", "failed")


def minimal_pdf(text="Jaarrekening"):
    """A small but complete PDF (one page with a line of text)."""
    return samples.pdf(text)


class ClientOnlineCaseMixin(SandboxCaseMixin):
    """Two accounting offices (companies), each with its own portal account and folders on disk,
    and contacts that are clients of the sandbox's portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        cls.root = tempfile.mkdtemp(prefix="client-online-test-")
        cls.addClassCleanup(shutil.rmtree, cls.root, ignore_errors=True)
        nl = cls.env.ref("base.nl")
        cls.company = cls._make_company("Administratiekantoor Delta", "sandbox-delta", nl)
        cls.company_b = cls._make_company("Kantoor Epsilon", "sandbox-epsilon", nl)
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))
        cls.env.user.company_ids |= cls.company | cls.company_b
        cls.accountant = new_test_user(
            cls.env,
            login="co-accountant",
            name="Anna Accountant",
            groups="base.group_user,client_online_connector.group_client_online_user",
            company_id=cls.company.id,
            lang="en_US",
        )
        cls.company.client_online_responsible_id = cls.accountant
        Partner = cls.env["res.partner"]
        clients = {c["hidden_id"]: c for c in samples.FIXED_CLIENTS}
        bakkerij, jansen, linde, sbr, vries = (clients[h] for h in ("100001", "100002", "100003", "100004", "100005"))
        cls.bakkerij = Partner.create(
            {
                "name": bakkerij["name"],
                "is_company": True,
                "company_id": cls.company.id,
                "company_registry": bakkerij["kvk"],
                "vat": f"NL{bakkerij['ob']}",
                "client_online_rsin": bakkerij["rsin"],
                "client_online_lh_number": bakkerij["lh"],
            }
        )
        cls.jansen = Partner.create(
            {
                "name": jansen["name"],
                "is_company": True,
                "company_id": cls.company.id,
                "company_registry": jansen["kvk"],
                "client_online_ob_number": jansen["ob"],
                "client_online_bsn": jansen["bsn"],
            }
        )
        cls.linde = Partner.create(
            {
                "name": linde["name"],
                "is_company": True,
                "company_id": cls.company.id,
                "company_registry": linde["kvk"],
                "client_online_rsin": linde["rsin"],
            }
        )
        cls.sbr = Partner.create(
            {
                "name": sbr["name"],
                "is_company": True,
                "company_registry": sbr["kvk"],
                "client_online_ob_number": sbr["ob"],
            }
        )
        cls.vries = Partner.create(
            {
                "name": vries["name"],
                "company_id": cls.company.id,
                "client_online_hidden_id": vries["hidden_id"],
                "client_online_bsn": vries["bsn"],
            }
        )

    @classmethod
    def _make_company(cls, name, username, country):
        folders = {}
        for key in FOLDERS:
            path = os.path.join(cls.root, username, key)
            os.makedirs(path)
            folders[f"client_online_folder_{key}"] = path
        return cls.env["res.company"].create(
            {
                "name": name,
                "country_id": country.id,
                "client_online_mode": "sandbox",
                "client_online_username": username,
                "client_online_password": "sandbox",
                "client_online_settle_seconds": 0,
                **folders,
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox_control.clear_faults()
        self.sandbox_control.clear_requests()
        self.admin("DELETE", "/clientonline/_admin")
        for company in (self.company, self.company_b):
            for key in FOLDERS:
                folder = company[f"client_online_folder_{key}"]
                for name in os.listdir(folder):
                    path = os.path.join(folder, name)
                    if os.path.isdir(path) and not os.path.islink(path):
                        shutil.rmtree(path)
                    else:
                        os.unlink(path)

    # -- the sandbox ------------------------------------------------------------------------------

    def admin(self, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = Request(self.sandbox_url + path, data=data, method=method)
        with urlopen(request, timeout=10) as answer:  # noqa: S310 - the class's own loopback sandbox
            return json.loads(answer.read())

    def portal_documents(self, account="sandbox-delta"):
        return self.admin("GET", f"/clientonline/_admin/documents?account={account}")["documents"]

    def portal_act(self, document, action, **extra):
        return self.admin("POST", f"/clientonline/_admin/documents/{document.portal_ref}", {"action": action, **extra})

    def portal_calls(self, operation=None):
        calls = self.sandbox_control.requests("/clientonline/soap/")
        return [c for c in calls if c["method"] == "POST"]

    # -- Odoo ------------------------------------------------------------------------------------------

    def run_job(self, company=None, **context):
        """One run of the scheduled job for ``company``, as the cron does it (its schedule reset)."""
        company = company or self.company
        company.sudo().client_online_next_run = False
        Document = self.env["client.online.document"].with_context(client_online_backoff_minutes=0, **context)
        return Document.with_company(company)._client_online_process(company)

    def drop(self, name, content, company=None, age=60):
        """Put a file in the folder to portal, last changed ``age`` seconds ago (its change time is now)."""
        company = company or self.company
        path = os.path.join(company.client_online_folder_inbox, name)
        with open(path, "wb") as handle:
            handle.write(content)
        stamp = time.time() - age
        os.utime(path, (stamp, stamp))
        return path

    def folder(self, key, company=None):
        company = company or self.company
        return sorted(os.listdir(company[f"client_online_folder_{key}"]))

    def documents(self, company=None):
        company = company or self.company
        return self.env["client.online.document"].sudo().search([("company_id", "=", company.id)], order="id")

    def send(self, partner, name, content, user=None, **values):
        """Send ``content`` for approval from ``partner``'s attachments, as ``user`` (the accountant)."""
        user = user or self.accountant
        attachment = self.env["ir.attachment"].create(
            {"name": name, "raw": content, "res_model": "res.partner", "res_id": partner.id}
        )
        wizard = (
            self.env["client.online.send.wizard"]
            .with_user(user)
            .with_company(self.company)
            .with_context(active_model="res.partner", active_id=partner.id)
            .create({"attachment_id": attachment.id, **values})
        )
        action = wizard.action_send()
        return self.env["client.online.document"].browse(action["res_id"])


class ClientOnlineCase(ClientOnlineCaseMixin, TransactionCase):
    pass


class ClientOnlineHttpCase(ClientOnlineCaseMixin, HttpCase):
    pass
