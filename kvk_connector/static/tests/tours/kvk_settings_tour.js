import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kvk_connector_settings_tour", {
    steps: () => [
        {
            content: "The KvK section is in the Settings page",
            trigger: "#kvk_environment",
        },
        {
            content: "Choose the local sandbox",
            trigger: "#kvk_environment select",
            run: "selectByLabel Sandbox",
        },
        {
            content: "Save the settings",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The settings page shows again, saved",
            trigger: ".o_form_saved, .o_form_button_save:not(:visible), body:not(:has(.o_form_dirty))",
        },
    ],
});
