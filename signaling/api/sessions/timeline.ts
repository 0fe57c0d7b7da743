/**
 * What a session's report reads, for whoever may read it (supervisors and admins in the
 * app, an API key with reports:read): its timeline, its chat with what masking hides
 * replaced (the readers are not the customer), and its recordings' rows.
 */
import { hide } from '../../../publisher/dialogs.js';
import type { RecordingRecord, SessionRecord } from '../../store/Store.js';
import type { ApiContext } from '../context.js';
import { detectorRules } from '../rules/schema.js';

export interface ReportParts {
	events: Array<{ at: number; type: string } & Record<string, unknown>>;
	chat: Array<{ at: number; name: string; role: 'agent' | 'customer' | 'supervisor'; text: string; note: boolean }>;
	recordings: RecordingRecord[];
}

export async function reportParts(api: Pick<ApiContext, 'store'>, record: SessionRecord): Promise<ReportParts> {
	const [rules, messages, events, recordings] = await Promise.all([
		api.store.getRules(record.companyId).then(detectorRules),
		api.store.listSessionMessages(record.id),
		api.store.listSessionEvents(record.id),
		api.store.listSessionRecordings(record.id),
	]);
	return {
		events: events.map((e) => ({ at: e.at, type: e.type, ...e.detail })),
		chat: messages.map((m) => ({ at: m.at, name: m.authorName, role: m.authorRole, text: hide(m.text, rules), note: m.note })),
		recordings,
	};
}
