/** /api/sessions: agents start sessions with a PIN; supervisors list live ones. */
import { z } from 'zod';

/** Spaces and dashes people type between digit groups are ignored. */
export const StartSessionBody = z.object({
	pin: z
		.string()
		.transform((s) => s.replace(/[\s-]/g, ''))
		.pipe(z.string().regex(/^\d{6}$/, 'expected the 6-digit PIN')),
	/** End the agent's own live sessions first (answer to `agent_busy`). Default false. */
	replace: z.boolean().default(false),
});
export type StartSessionBody = z.infer<typeof StartSessionBody>;

/** POST /api/sessions answers 201: join it over the WebSocket with the access token. */
export interface StartSessionResponse {
	sessionId: string;
}

export interface LiveSessionView {
	id: string;
	startedAt: number;
	agent: { id: string; name: string };
	customerPresent: boolean;
	url: string;
	title: string;
	/** Agents' input the policy gateway refused so far. */
	refusals: number;
}

/** GET /api/sessions/:id/report: what a session's report holds so far (supervisors and admins of its company). */
export interface SessionReportResponse {
	session: { id: string; agentUserId: string; startedAt: number; endedAt: number | null; endReason: string | null };
	/**
	 * The chat and the supervisors' notes, oldest first, with what masking hides replaced
	 * (the readers are not the customer).
	 */
	chat: Array<{ at: number; name: string; role: 'agent' | 'customer' | 'supervisor'; text: string; note: boolean }>;
}

/** GET /api/sessions (live sessions of the caller's company; supervise permission), GET /api/sessions/mine (the caller's own, as agent; cobrowse permission). */
export interface ListSessionsResponse {
	sessions: LiveSessionView[];
}
