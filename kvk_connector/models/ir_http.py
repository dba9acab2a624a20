from odoo import models

KVK_USER_GROUP = "kvk_connector.group_kvk_user"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Tell the web client whether the name of a new company may suggest from the register: for a
        KvK user whose company can ask it (the answer names nothing else about the connection)."""
        info = super().session_info()
        user = self.env.user
        info["kvk_typeahead"] = bool(
            user._is_internal()
            and user.has_group(KVK_USER_GROUP)
            and self.env["kvk.service"]._connection_ready(self.env.company)
        )
        return info
