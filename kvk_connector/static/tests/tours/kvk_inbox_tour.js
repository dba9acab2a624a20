import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kvk_connector_inbox_tour", {
    steps: () => [
        {
            content: "The inbox lists the change the register signalled",
            trigger: ".o_kvk_review_list .o_data_row:has(td:contains(68750110)) td[name='name']",
            run: "click",
        },
        {
            content: "The review shows the website: the contact's value, the register's old and new value",
            trigger: ".o_kvk_review_lines .o_data_row:has(td:contains(Website)):has(td:contains(www.))",
        },
        {
            content: "and the name",
            trigger: ".o_kvk_review_lines .o_data_row:has(td:contains(Name))",
        },
        {
            content: "Accept the website only",
            trigger: ".o_kvk_review_lines .o_data_row:has(td:contains(Website)) button.o_kvk_accept_line",
            run: "click",
        },
        {
            content: "The website is applied",
            trigger: ".o_kvk_review_lines .o_data_row:has(td:contains(Website)):has(td:contains(Applied))",
        },
        {
            content: "the name still waits",
            trigger: ".o_kvk_review_lines .o_data_row:has(td:contains(Name)):has(button.o_kvk_accept_line)",
        },
        {
            content: "The review's chatter says what was accepted",
            trigger: ".o-mail-Message:contains(Accepted):contains(Website)",
        },
        {
            content: "Open the contact",
            trigger: ".o_form_view button[name='action_open_partner']",
            run: "click",
        },
        {
            content: "The contact's chatter says what was written from the register",
            trigger: ".o_form_view .o-mail-Message:contains(Written from the KvK register):contains(Website)",
        },
    ],
});
