/**
 * Writing the audit log without making callers wait or fail on it: an audit write that
 * fails is logged and counted, never lost silently.
 */
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import type { NewAuditEntry, Store } from './store/Store.js';

export type Audit = (entry: NewAuditEntry) => void;

export function createAudit(store: Store, logger: Logger, metrics: Metrics): Audit {
	return (entry) => {
		store.audit(entry).catch((error: unknown) => {
			metrics.backgroundErrors.inc({ kind: 'audit' });
			logger.error({ err: error, action: entry.action }, 'audit write failed');
		});
	};
}
