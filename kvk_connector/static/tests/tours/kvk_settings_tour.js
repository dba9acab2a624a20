import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kvk_connector_settings_tour", {
    steps: () => [
        {
            content: "The KvK section is in the Settings page",
            trigger: "#kvk_environment",
        },
        {
            content: "The test environment's endpoint is shown",
            trigger: "#kvk_environment .o_kvk_endpoint:contains(https://api.kvk.nl/test/api)",
        },
        {
            content: "Choose the local sandbox",
            trigger: "#kvk_environment select",
            run: "selectByLabel Sandbox",
        },
        {
            content: "The endpoint shown follows the choice: no KvK address while the sandbox is chosen",
            trigger: "#kvk_environment .o_kvk_endpoint:contains(/kvk/api):not(:contains(api.kvk.nl))",
        },
        {
            content: "Without a key of its own, the settings say which key the sandbox gets",
            trigger: "#kvk_api_key .o_kvk_key_note:contains(sandbox-demo)",
        },
        {
            content: "Save the settings: the page reloads",
            trigger: ".o_form_button_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The settings page shows again, saved in the sandbox",
            trigger: "#kvk_environment .o_kvk_endpoint:contains(/kvk/api):not(:contains(api.kvk.nl))",
        },
        {
            content: "Test the connection",
            trigger: "#kvk_environment button.o_kvk_test_connection",
            run: "click",
        },
        {
            content: "It says plainly that the connection works",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains(the connection works)",
        },
        {
            content: "Units on every number: #kvk_timeout span:contains(seconds)",
            trigger: "#kvk_timeout span:contains(seconds)",
        },
        {
            content: "Units on every number: #kvk_cache_hours span:contains(hours)",
            trigger: "#kvk_cache_hours span:contains(hours)",
        },
        {
            content: "Units on every number: #kvk_monthly_cap span:contains(EUR a month)",
            trigger: "#kvk_monthly_cap span:contains(EUR a month)",
        },
        {
            content: "Units on every number: #kvk_basisprofiel:contains(EUR)",
            trigger: "#kvk_basisprofiel:contains(EUR)",
        },
        {
            content: "Units on every number: #kvk_log_retention_days span:contains(days)",
            trigger: "#kvk_log_retention_days span:contains(days)",
        },
        {
            content: "The jobs' last runs are shown",
            trigger: "#kvk_job_refresh .o_kvk_job_refresh:contains(Last run)",
        },
    ],
});
