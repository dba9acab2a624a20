"""The register endpoint for in-house systems: ``GET /kvk/register`` answers XML (schemas/kvk_register.xsd)."""

import re

from lxml import etree

from odoo import SUPERUSER_ID, fields, http
from odoo.http import request

from ..clients import KvkError

NS = "urn:register-connectors:kvk:register:1"
INTEGRATION_GROUP = "kvk_connector.group_kvk_integration"
SEARCH_PARAMS = ("naam", "plaats", "straatnaam", "postcode", "huisnummer", "rsin", "type")
# HTTP status of the endpoint's answer for each error code of a register call.
STATUS = {
    "IPD0004": 400,
    "IPD0006": 400,
    "IPD0010": 400,
    "IPD1998": 400,
    "IPD1999": 400,
    "IPD5203": 400,
    "IPD0005": 404,
    "IPD0007": 404,
    "IPD5200": 404,
    "IPD1002": 503,
    "IPD1003": 503,
    "timeout": 504,
    "network": 502,
    "malformed": 502,
    "IPD9999": 502,
    "unauthorized": 502,
    "forbidden": 502,
    "disabled": 403,
    "cap": 429,
    "rate_limited": 503,
    "tls_untrusted": 502,
    "tls_refused": 502,
}


def _el(parent, name, text=None, **attrs):
    node = etree.SubElement(parent, f"{{{NS}}}{name}", {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        node.text = str(text)
    return node


def _address(parent, name, address):
    if address is None:
        return
    node = _el(parent, name)
    _el(node, "street", address.street or "")
    for tag, value in (("postcode", address.postcode), ("city", address.city), ("country", address.country)):
        if value:
            _el(node, tag, value)


def profile_xml(profile):
    root = etree.Element(f"{{{NS}}}profile", nsmap={None: NS}, retrieved=fields.Datetime.now().isoformat())
    _el(root, "kvkNumber", profile.kvk_number)
    if profile.branch_number:
        _el(root, "branchNumber", profile.branch_number)
    if profile.rsin:
        _el(root, "rsin", profile.rsin)
    _el(root, "name", profile.name or profile.statutory_name)
    if profile.statutory_name:
        _el(root, "statutoryName", profile.statutory_name)
    if profile.legal_form_long or profile.legal_form:
        _el(root, "legalForm", profile.legal_form_long or profile.legal_form)
    for name in profile.trade_names:
        _el(root, "tradeName", name)
    if profile.founding_raw:
        _el(root, "foundingDate", profile.founding_raw)
    if profile.end_raw:
        _el(root, "endDate", profile.end_raw)
    for website in profile.websites:
        _el(root, "website", website)
    if profile.phone:
        _el(root, "phone", profile.phone)
    _address(root, "visitingAddress", profile.visiting)
    _address(root, "postalAddress", profile.postal)
    for kind in profile.shielded:
        _el(root, "shieldedAddress", kind)
    for activity in profile.activities:
        _el(root, "activity", activity.description, code=activity.code, main=str(activity.main).lower())
    if profile.employees is not None:
        _el(
            root,
            "employees",
            total=profile.employees,
            fullTime=profile.employees_full,
            partTime=profile.employees_part,
        )
    return root


def search_xml(page):
    root = etree.Element(
        f"{{{NS}}}searchResult",
        nsmap={None: NS},
        total=str(page.total),
        page=str(page.page),
        perPage=str(page.per_page),
    )
    for hit in page.hits:
        node = _el(root, "hit")
        _el(node, "kvkNumber", hit.kvk_number)
        if hit.branch_number:
            _el(node, "branchNumber", hit.branch_number)
        _el(node, "name", hit.name)
        _el(node, "kind", hit.kind)
        _el(node, "active", str(hit.active).lower())
        _address(node, "address", hit.address)
    return root


def error_xml(status, code, message):
    root = etree.Element(f"{{{NS}}}error", nsmap={None: NS}, status=str(status))
    _el(root, "code", code)
    _el(root, "message", message)
    return root


class KvkRegisterController(http.Controller):
    def _answer(self, root, status=200):
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        headers = [("Content-Type", "application/xml; charset=utf-8"), ("Cache-Control", "no-store")]
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="kvk-register"'))
        return request.make_response(body, headers=headers, status=status)

    def _error(self, status, code, message):
        return self._answer(error_xml(status, code, message), status)

    def _authenticate(self):
        header = request.httprequest.headers.get("Authorization", "")
        match = re.fullmatch(r"bearer\s+(\S+)", header.strip(), re.IGNORECASE)
        if not match:
            return None
        env = request.env(user=SUPERUSER_ID)
        return env["res.users.apikeys"]._check_credentials(scope="rpc", key=match.group(1)) or None

    @http.route(
        "/kvk/register", type="http", auth="none", methods=["GET"], csrf=False, save_session=False, readonly=False
    )
    def register(self, **params):
        uid = self._authenticate()
        if not uid:
            return self._error(401, "unauthorized", "Send an Odoo API key as 'Authorization: Bearer <key>'.")
        env = request.env(user=uid)
        user = env.user
        if not user.active or not user.has_group(INTEGRATION_GROUP):
            return self._error(403, "forbidden", "This API key's user is not in the KvK integration group.")
        env = env(context=dict(env.context, lang=user.lang, allowed_company_ids=user.company_id.ids))
        service = env["kvk.service"].with_company(user.company_id)
        kvk = (params.get("kvkNummer") or "").strip()
        branch = (params.get("vestigingsnummer") or "").strip()
        unknown = set(params) - {"kvkNummer", "vestigingsnummer", "pagina", "resultatenPerPagina", *SEARCH_PARAMS}
        if unknown:
            return self._error(400, "parameter", f"Unknown parameter(s): {', '.join(sorted(unknown))}.")
        if kvk and not re.fullmatch(r"[0-9]{8}", kvk):
            return self._error(400, "IPD0004", f"kvkNummer must be 8 digits, not '{kvk}'.")
        if branch and not re.fullmatch(r"[0-9]{12}", branch):
            return self._error(400, "IPD0006", f"vestigingsnummer must be 12 digits, not '{branch}'.")
        try:
            if kvk and not branch:
                profile = service._fetch_profile(kvk, kind="hoofdvestiging", channel="integration")
                return self._answer(profile_xml(profile))
            if branch:
                profile = service._fetch_profile(kvk, branch, kind="nevenvestiging", channel="integration")
                return self._answer(profile_xml(profile))
            criteria = {key: params[key] for key in SEARCH_PARAMS if params.get(key)}
            if not criteria:
                return self._error(400, "parameter", "Give kvkNummer, vestigingsnummer or search criteria.")
            try:
                page, per_page = int(params.get("pagina", 1)), int(params.get("resultatenPerPagina", 10))
            except ValueError:
                return self._error(400, "parameter", "pagina and resultatenPerPagina are whole numbers.")
            if "type" in criteria:
                criteria["type"] = [criteria["type"]]
            page = service._search_register(criteria, page=page, per_page=per_page, channel="integration")
            return self._answer(search_xml(page))
        except KvkError as error:
            return self._error(STATUS.get(error.code, 502), error.code, service._error_message(error))
