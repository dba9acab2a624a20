import { registry } from "@web/core/registry";

/**
 * Type a new company's name quickly (one burst of keystrokes, as a fast typist does: the
 * suggestions wait until typing pauses), pick a suggestion, check the preview, apply.
 */
function typeQuickly(input, text) {
    input.focus();
    for (let length = 1; length <= text.length; length++) {
        input.value = text.slice(0, length);
        input.dispatchEvent(new InputEvent("input", { bubbles: true, data: text[length - 1] }));
    }
}

registry.category("web_tour.tours").add("kvk_connector_typeahead_tour", {
    steps: () => [
        {
            content: "A new contact is an organisation",
            trigger: ".o_form_view .o_field_widget[name='company_type'] input[data-value='company']",
            run: "click",
        },
        {
            content: "Its name field suggests from the KvK register",
            trigger: ".o_form_view .o_field_widget[name='name'] .o_kvk_typeahead input",
        },
        {
            content: "Two characters: no suggestion, no call",
            trigger: ".o_form_view .o_field_widget[name='name'] .o_kvk_typeahead input",
            run: (helpers) => typeQuickly(helpers.anchor, "Da"),
        },
        {
            content: "Still nothing suggested",
            trigger: ".o_form_view:not(:has(.o_kvk_suggestion))",
        },
        {
            content: "Type the name",
            trigger: ".o_form_view .o_field_widget[name='name'] .o_kvk_typeahead input",
            run: (helpers) => typeQuickly(helpers.anchor, "Dagobert"),
        },
        {
            content: "The register's main branch is suggested with KvK number, type and city",
            trigger:
                ".o_kvk_suggestion:has(.o_kvk_suggestion_number:contains(69599084)):has(.o_kvk_suggestion_kind:contains(Main branch)):has(.o_kvk_suggestion_city:contains(Amsterdam))",
            run: "click",
        },
        {
            content: "Picking it opens the preview of the registration",
            trigger: ".modal .o_kvk_preview td:contains(Abebe Bikilalaan)",
        },
        {
            content: "Create the contact from the register",
            trigger: ".modal button.o_kvk_apply:visible:contains(Create contact)",
            run: "click",
        },
        {
            content: "The form shows the new contact, filled from the register",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_field_widget[name='city'] input:value(Amsterdam)",
        },
        {
            content: "Its breadcrumb names it once",
            trigger:
                ".o_breadcrumb:not(:has(.breadcrumb-item:contains(New))) .o_last_breadcrumb_item:contains(Test EMZ Dagobert)",
        },
        {
            content: "A saved company gets no suggestions: its name is an ordinary field again",
            trigger: ".o_form_view .o_field_widget[name='name']:not(:has(.o_kvk_typeahead))",
        },
    ],
});

registry.category("web_tour.tours").add("kvk_connector_typeahead_fallback_tour", {
    steps: () => [
        {
            content: "A new contact is an organisation",
            trigger: ".o_form_view .o_field_widget[name='company_type'] input[data-value='company']",
            run: "click",
        },
        {
            content: "Without a country it suggests from the KvK register",
            trigger: ".o_form_view .o_field_widget[name='name'] .o_kvk_typeahead input",
        },
        {
            content: "Make it a Czech company",
            trigger: ".o_form_view .o_field_widget[name='country_id'] input",
            run: "edit Czech",
        },
        {
            content: "Pick Czech Republic",
            trigger: ".o-autocomplete--dropdown-menu li a:contains(Czech)",
            run: "click",
        },
        {
            content: "A Czech company's name no longer asks the KvK register",
            trigger: ".o_form_view .o_field_widget[name='name']:not(:has(.o_kvk_typeahead)) :is(input, textarea)",
        },
        {
            content: "Nor does it show the KvK button",
            trigger: ".o_form_view:not(:has(.o_kvk_search_register))",
        },
        {
            content: "Discard the new contact",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back on the contacts",
            trigger: ".o_kanban_view, .o_list_view",
        },
    ],
});
