/**
 * Browser-drawn pickers (a select's list, date, time and colour pickers): Chromium draws
 * them outside the page, so the capture never shows them. The detector keeps the browser
 * from opening one and reports it (see onPicker in page/detector.ts); the session shows it
 * to the people in it and sets what one of them chooses. What each sees and may answer
 * follows the policy gateway's rules: agents and supervisors never see what masking hides,
 * and only the customer may choose in a locked or masked field.
 */
import type { MaskRules, PickerReport } from '../protocol/masking.js';
import type { PickerView, Role } from '../protocol/wire.js';
import { hide } from './dialogs.js';

/** A picker the page opened; `id` numbers the pickers of one browser. */
export type PagePicker = PickerReport['picker'];

const HIDDEN = '••••';

/**
 * What a participant is shown of a picker, and whether they may choose: the customer all
 * of it; agents and supervisors its texts with what masking hides replaced, nothing of a
 * masked field's options or value. Agents with control may choose, unless the field is
 * masked or locked; supervisors, and agents without control, watch.
 */
export function pickerView(picker: PagePicker, role: Role, canControl: boolean, rules: MaskRules): PickerView {
	const { id, kind, label, options, selected, value, min, max, step } = picker;
	const bounds = { ...(min ? { min } : {}), ...(max ? { max } : {}), ...(step ? { step } : {}) };
	if (role === 'customer') return { id, kind, label, ...(options ? { options, selected: selected ?? -1 } : { value: value ?? '', ...bounds }), answer: 'any' };
	const answer = role === 'agent' && canControl && !picker.masked && !picker.locked ? 'any' : 'none';
	if (picker.masked) {
		return { id, kind, label: hide(label, rules), ...(options ? { options: options.map((o) => ({ label: HIDDEN, disabled: o.disabled })), selected: -1 } : { value: '' }), answer };
	}
	return {
		id,
		kind,
		label: hide(label, rules),
		...(options ? { options: options.map((o) => ({ ...o, label: hide(o.label, rules), ...(o.group !== undefined ? { group: hide(o.group, rules) } : {}) })), selected: selected ?? -1 } : { value: hide(value ?? '', rules), ...bounds }),
		answer,
	};
}
