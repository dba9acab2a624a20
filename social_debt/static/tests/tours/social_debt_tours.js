import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("social_debt_check_supplier_tour", {
    steps: () => [
        {
            content: "Open the supplier's Social Debt tab",
            trigger: ".o_form_view .o_notebook a:contains(Social Debt)",
            run: "click",
        },
        {
            content: "Not checked yet",
            trigger: ".o_social_debt_header .o_social_debt_badge:contains(Not checked)",
        },
        {
            content: "Check the supplier now",
            trigger: "button.o_social_debt_check_now",
            run: "click",
        },
        {
            content: "The verdict states both debts",
            trigger: ".o_social_debt_header .o_social_debt_badge:contains(Social and tax debt)",
        },
        {
            content: "A debt answer holds on its own day only",
            trigger: ".o_social_debt_header .o_social_debt_validity:contains(Valid today only)",
        },
    ],
});

registry.category("web_tour.tours").add("social_debt_pay_bill_tour", {
    steps: () => [
        {
            content: "The bill says the supplier falls under the withholding, with its verdict",
            trigger: ".o_social_debt_bill_banner:contains(Social and tax debt)",
        },
        {
            content: "Pay the bill",
            trigger: ".o_form_view button[name=action_register_payment]:visible",
            run: "click",
        },
        {
            content: "The dialog proposes the split before confirming",
            trigger: ".modal .o_social_debt_split_alert:contains(to the RSZ)",
        },
        {
            content: "35 % of the amount without VAT to the RSZ",
            trigger: ".modal .o_social_debt_split td.o_sd_rsz:contains(350.00)",
        },
        {
            content: "15 % to the FOD Financiën, the rest to the supplier",
            trigger: ".modal .o_social_debt_split:has(td.o_sd_fod:contains(150.00)):has(td.o_sd_supplier:contains(710.00))",
        },
        {
            content: "Create the payments",
            trigger: ".modal button[name=action_create_payments]:visible",
            run: "click",
        },
        {
            content: "The bill is paid by three payments",
            trigger: "button.oe_stat_button:contains(Payments):contains(3)",
            run: "click",
        },
        {
            content: "The RSZ's share",
            trigger: ".o_list_view .o_data_row:contains(RSZ/ONSS):contains(350.00)",
        },
        {
            content: "The FOD Financiën's share",
            trigger: ".o_list_view .o_data_row:contains(FOD Financiën):contains(150.00)",
        },
        {
            content: "Open the supplier's share",
            trigger: ".o_list_view .o_data_row:contains(710.00) td.o_data_cell:first",
            run: "click",
        },
        {
            content: "The payment names its role, the withheld payments and the check that was valid that day",
            trigger:
                ".o_form_view:has(.o_field_widget[name=social_debt_role]:contains(Supplier's share))" +
                ":has(.o_field_widget[name=social_debt_withholding_ids] .o_tag:nth-of-type(2))" +
                " .o_field_widget[name=social_debt_check_id]:contains(0428.759.497)",
        },
        {
            content: "The proof of the check is attached to the payment",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(attached as proof)",
        },
        {
            content: "... as a PDF",
            trigger: ".o-mail-Chatter .o-mail-AttachmentCard:contains(Social debt check)",
        },
    ],
});
