import { registry } from "@web/core/registry";

/** The README's first walk on a fresh demo: the demo salesperson fills the demo contact "Donald". */
registry.category("web_tour.tours").add("kvk_connector_demo_search_tour", {
    steps: () => [
        {
            content: "Open the demo contact Donald",
            trigger: ".o_kanban_record:contains(Donald):not(:contains(Dagobert))",
            run: "click",
        },
        {
            content: "Search the register",
            trigger: ".o_form_view button.o_kvk_search_register",
            run: "click",
        },
        {
            content: "The search starts from the contact's name",
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
            content: "The preview shows the register's values, dates as people read them",
            trigger: ".modal .o_kvk_preview tr:has(td:contains(Founding date)) td:contains(March 2017)",
        },
        {
            content: "Activities with code and description",
            trigger: ".modal .o_kvk_preview td:contains(01241 Teelt van appels en peren)",
        },
        {
            content: "Apply to the contact",
            trigger: ".modal button.o_kvk_apply:visible:contains(Apply to contact)",
            run: "click",
        },
        {
            content: "The dialog closes on the contact, now filled",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_field_widget[name='street'] input:value(Hizzaarderlaan 3 A)",
        },
        {
            content: "The breadcrumb names the contact once",
            trigger:
                ".o_breadcrumb:has(.breadcrumb-item:contains(Contacts)):not(:has(.breadcrumb-item:not(.o_last_breadcrumb_item):contains(Donald))) .o_last_breadcrumb_item:contains(Donald)",
        },
        {
            content: "Open the register tab",
            trigger: ".o_form_view .o_notebook a:contains(Register (KvK))",
            run: "click",
        },
        {
            content: "The founding date reads as a month, the raw text is not shown",
            trigger:
                ".o_form_view .o_field_widget[name='kvk_founding_display']:contains(March 2017)",
        },
        {
            content: "An active company has no empty registration-end row, and no raw date",
            trigger:
                ".o_form_view:not(:has(.o_field_widget[name='kvk_end_display'])):not(:has(.o_field_widget[name='kvk_founding_raw']))",
        },
    ],
});
