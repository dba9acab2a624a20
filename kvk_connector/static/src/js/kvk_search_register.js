import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { showKvkResult } from "./kvk_form_return";

/**
 * "Search register" in the header of a company contact.
 *
 * A new contact is not saved to search for it: the dialog starts from the name and KvK number
 * typed so far (an empty name, an empty search) and the contact is created only when register
 * data is applied.  A saved contact with changes is saved first, as any button of the form does.
 */
export class KvkSearchRegister extends Component {
    static template = "kvk_connector.KvkSearchRegister";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
    }

    /** A new contact in a dialog (a quick "create and edit" from another form) searches once saved:
     * what the search creates opens as the contact's own form, not inside that dialog. */
    get visible() {
        return !(this.env.inDialog && this.props.record.isNew);
    }

    async onClick() {
        const record = this.props.record;
        const context = { kvk_form_return: true };
        let ids = [];
        // takes in what is being typed, so that the name just typed is the one searched for
        const dirty = await record.isDirty();
        if (record.isNew) {
            context.kvk_draft_name = record.data.name || "";
            context.kvk_draft_registry = record.data.company_registry || "";
        } else {
            if (dirty && !(await record.save())) {
                return;
            }
            ids = [record.resId];
        }
        const action = await this.orm.call("res.partner", "action_kvk_search", [ids], { context });
        await this.action.doAction(action, {
            // the raw service: this component may be gone when the dialog closes (the form is reset)
            onClose: (infos) => showKvkResult(this.env.services.action, record, infos),
        });
    }
}

registry.category("view_widgets").add("kvk_search_register", {
    component: KvkSearchRegister,
});
