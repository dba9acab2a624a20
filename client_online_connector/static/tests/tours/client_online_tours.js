import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("client_online_connector_send_tour", {
    steps: () => [
        {
            content: "On the client's card, send a document for approval",
            trigger: ".o_form_view button.o_client_online_send",
            run: "click",
        },
        {
            content: "The contact's PDF is picked",
            trigger: ".modal .o_client_online_send_wizard .o_field_widget[name='attachment_id'] input:value(jaarrekening 2024.pdf)",
        },
        {
            content: "Send it",
            trigger: ".modal button.o_client_online_do_send",
            run: "click",
        },
        {
            content: "The document waits in the queue",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status .o_arrow_button_current[data-value='queued']",
        },
        {
            content: "Send it now rather than at the next run",
            trigger: ".o_form_view button.o_client_online_send_now",
            run: "click",
        },
        {
            content: "The portal has it: it awaits the client's approval",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='sent']",
        },
        {
            content: "with the portal's reference",
            trigger: ".o_form_view .o_field_widget[name='portal_ref'] span:contains(CO-)",
        },
    ],
});

registry.category("web_tour.tours").add("client_online_connector_follow_tour", {
    steps: () => [
        {
            content: "The list shows the document awaiting approval",
            trigger: ".o_list_view .o_data_row:has(td:contains(jaarrekening 2024.pdf)) td[name='state'] .badge.text-bg-info",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row td.o_data_cell:contains(jaarrekening 2024.pdf)",
            run: "click",
        },
        {
            content: "Ask the portal for its state",
            trigger: ".o_form_view button.o_client_online_refresh",
            run: "click",
        },
        {
            content: "The client approved it",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='approved']",
        },
        {
            content: "Look at the file",
            trigger: ".o_form_view .o_notebook a[name='file']",
            run: "click",
        },
        {
            content: "It is in the folder of approved documents",
            trigger: ".o_form_view .o_field_widget[name='file_path'] span:contains(/tour/approved/jaarrekening 2024.pdf)",
        },
    ],
});
