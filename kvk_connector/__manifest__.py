{
    "name": "KvK Handelsregister Connector",
    "summary": "Search the Dutch KvK Handelsregister from a contact, enrich it and keep it current",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Register Connectors",
    "license": "LGPL-3",
    "depends": ["base_setup", "contacts"],
    "external_dependencies": {"python": ["requests", "zeep", "lxml", "phonenumbers", "python-stdnum"]},
    "data": [
        "security/kvk_connector_groups.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["demo/kvk_connector_demo.xml"],
    "assets": {
        "web.assets_tests": ["kvk_connector/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
