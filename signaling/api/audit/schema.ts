/** /api/audit: the company's audit log, newest first (admins). */
import { z } from 'zod';

export const AuditQuery = z.object({
	limit: z.coerce.number().int().min(1).max(500).default(100),
	beforeId: z.coerce.number().int().positive().optional(),
});

export interface AuditEntryView {
	id: number;
	at: number;
	actorType: 'user' | 'customer' | 'system' | 'anonymous';
	actorId: string | null;
	action: string;
	sessionId: string | null;
	detail: Record<string, unknown>;
	ip: string | null;
}

export interface AuditResponse {
	entries: AuditEntryView[];
}
