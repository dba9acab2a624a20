from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from ..models.creditcheck_service import REPORT_ROUTE


class CreditcheckReport(http.Controller):
    @http.route(f"{REPORT_ROUTE}/<int:partner_id>", type="http", auth="user", methods=["GET"], readonly=True)
    def creditcheck_full_report(self, partner_id):
        """The paid CreditcheckList report of a partner the user may read, by a redirect.

        The company's report code is read here, on the server, and goes only into
        this redirect to CreditCheck: no field or page the browser reads holds it.
        """
        if not request.env.user.has_group("creditcheck_semaphore.group_creditcheck_user"):
            raise Forbidden()
        partner = request.env["res.partner"].browse(partner_id)
        try:
            partner.check_access("read")
            url = request.env["creditcheck.service"]._full_report_url(partner)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if not url:
            raise NotFound()
        response = request.redirect(url, code=303, local=False)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
