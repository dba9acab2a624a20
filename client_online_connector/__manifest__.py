{
    "name": "ClientOnline Connector",
    "summary": "Send XBRL declarations and PDFs to the ClientOnline approval portal and follow each document",
    "version": "18.0.1.0.0",
    "category": "Accounting",
    "author": "Register Connectors",
    "license": "LGPL-3",
    "depends": ["base_setup", "contacts"],
    "external_dependencies": {"python": ["requests", "zeep", "lxml"]},
    "data": [
        "security/client_online_connector_groups.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["demo/client_online_connector_demo.xml"],
    "installable": True,
    "application": False,
}
