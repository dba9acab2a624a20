import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kvk_connector_search_register_tour", {
    steps: () => [
        {
            content: "A new contact is an organisation",
            trigger: ".o_form_view .o_field_widget[name='company_type'] input[data-value='company']",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name='name'] :is(input, textarea)",
            run: "edit Donald",
        },
        {
            content: "Search the register",
            trigger: ".o_form_view button.o_kvk_search_register",
            run: "click",
        },
        {
            content: "The wizard starts from the name",
            trigger: ".modal .o_kvk_search_wizard .o_field_widget[name='name'] input:value(Donald)",
        },
        {
            content: "Search",
            trigger: ".modal button.o_kvk_do_search",
            run: "click",
        },
        {
            content: "Pick Test BV Donald's main branch",
            trigger: ".modal .o_kvk_results tr:has(td:contains(000037178598)) button.o_kvk_select",
            run: "click",
        },
        {
            content: "The preview shows the register's RSIN",
            trigger: ".modal .o_kvk_preview td:contains(857587973)",
        },
        {
            content: "The preview shows the founding date as people read it",
            trigger: ".modal .o_kvk_preview td:contains(March 2017)",
        },
        {
            content: "The contact was never saved: the dialog creates it",
            trigger: ".modal button.o_kvk_apply:visible:contains(Create contact)",
            run: "click",
        },
        {
            content: "Back on the contact, the visiting address is filled",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name='street'] input:value(Hizzaarderlaan 3 A)",
        },
        {
            content: "The breadcrumb names the company once and no unsaved 'New' is left in it",
            trigger:
                ".o_breadcrumb:not(:has(.breadcrumb-item:contains(Donald))):not(:has(.breadcrumb-item:contains(New))) .o_last_breadcrumb_item:contains(Test BV Donald)",
        },
        {
            content: "The register tab holds the KvK number",
            trigger: ".o_form_view .o_notebook a:contains(Register (KvK))",
            run: "click",
        },
        {
            content: "KvK number and vestigingsnummer are there",
            trigger: ".o_form_view .o_field_widget[name='kvk_branch_number'] input:value(000037178598)",
        },
    ],
});
