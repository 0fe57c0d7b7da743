/** /api/audit: the company's audit log, newest first (admins). */
import { z } from 'zod';

export const AuditQuery = z.object({
	limit: z.coerce.number().int().min(1).max(500).default(100),
	beforeId: z.coerce.number().int().positive().optional(),
	/** Who: a user's id (or a customer's). */
	actor: z.string().min(1).max(64).optional(),
	/** What: an action (`auth.login`) or a domain of them (`session.`). */
	action: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]*)?$/, 'an action like auth.login, or a domain like session.').max(64).optional(),
	/** When: from and to, ms since the epoch. */
	from: z.coerce.number().int().min(0).optional(),
	to: z.coerce.number().int().min(0).optional(),
	/** `csv`: every matching entry (up to 10 000) as a CSV file. */
	format: z.enum(['json', 'csv']).default('json'),
});

export interface AuditEntryView {
	id: number;
	at: number;
	actorType: 'user' | 'customer' | 'system' | 'anonymous' | 'api_key';
	actorId: string | null;
	/** The user's name now (null for customers, the system, unknown or deleted users). */
	actorName: string | null;
	action: string;
	sessionId: string | null;
	detail: Record<string, unknown>;
	ip: string | null;
}

export interface AuditResponse {
	entries: AuditEntryView[];
}
