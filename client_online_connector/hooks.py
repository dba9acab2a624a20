def post_init_hook(env):
    """Offer Send for approval on invoices when Accounting is installed (more in the settings)."""
    model = env["ir.model"]._get("account.move")
    if model:
        env["res.config.settings"]._client_online_bind(model)
