/**
 * What the contact form does when the KvK search dialog closes.
 *
 * The dialog (opened from the form by the "Search register" button or by a picked suggestion)
 * closes with the contact it applied to or found: an unsaved new contact is then replaced by that
 * contact (it was never saved, so nothing is left behind, and the breadcrumb names the company
 * once); a saved contact is reloaded, or the other contact is opened.
 */
export async function showKvkResult(actionService, record, infos) {
    const partnerId = infos && infos.kvk_partner_id;
    if (!partnerId) {
        if (!record.isNew) {
            await record.load();
        }
        return;
    }
    if (!record.isNew && partnerId === record.resId) {
        await record.load();
        return;
    }
    const replace = record.isNew;
    if (replace) {
        await record.discard();
    }
    await actionService.doAction(
        {
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: partnerId,
            views: [[false, "form"]],
            target: "current",
        },
        replace ? { stackPosition: "replaceCurrentAction" } : {}
    );
}
