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
/** POST /api/sessions/:id/wrapup: the agent's outcome (one of the company's) and notes, once the session has ended. */
export const WrapUpBody = z.object({ outcome: z.string().trim().min(1).max(80), notes: z.string().max(2000).default('') }).strict();

/** PUT /api/sessions/:id/review: a supervisor's rating (1 to 5, or null) and notes, for coaching. */
export const ReviewBody = z.object({ rating: z.number().int().min(1).max(5).nullable(), notes: z.string().max(4000).default('') }).strict();

export interface SessionReportResponse {
	session: {
		id: string;
		agentUserId: string;
		agentName: string | null;
		startedAt: number;
		endedAt: number | null;
		endReason: string | null;
		outcome: string | null;
		wrapupNotes: string | null;
	};
	/** The latest review (supervisors and admins see it), and who wrote it. */
	review: { rating: number | null; notes: string; at: number; reviewer: string | null } | null;
	/**
	 * The chat and the supervisors' notes, oldest first, with what masking hides replaced
	 * (the readers are not the customer).
	 */
	chat: Array<{ at: number; name: string; role: 'agent' | 'customer' | 'supervisor'; text: string; note: boolean }>;
	/** The timeline (see signaling/events.ts for each type's fields), oldest first. */
	events: Array<{ at: number; type: string } & Record<string, unknown>>;
	/** The session's recording, if it was recorded. */
	recordings: RecordingView[];
}

export interface RecordingView {
	id: string;
	status: 'recording' | 'ready' | 'failed';
	startedAt: number;
	endedAt: number | null;
	durationMs: number | null;
	bytes: number | null;
	/** Where each segment starts (wall clock) and how long it lasts in the video, to map times onto it. */
	segments: Array<{ startedAt: number; durationMs?: number }>;
	/** The video, by a link signed for the reader that works for 10 minutes; null until ready. */
	videoUrl: string | null;
	/** The pointers, drawings and scrolls recorded with it (JSON, see OverlayTrack), by a link like the video's. */
	overlayUrl: string | null;
}

/** GET /api/sessions/history: ended sessions of the caller's company, newest first. */
export interface SessionHistoryResponse {
	sessions: Array<{ id: string; agent: { id: string; name: string | null }; startedAt: number; endedAt: number | null; endReason: string | null; outcome: string | null }>;
}

/** GET /api/sessions/:id/wrapup: the agent's wrap-up form of a session it ran. */
export interface WrapUpResponse {
	/** The company's outcomes, to pick one from. */
	outcomes: string[];
	outcome: string | null;
	notes: string;
	/** Whether the session has ended (a wrap-up is saved only then). */
	ended: boolean;
}

/** GET /api/sessions (live sessions of the caller's company; supervise permission), GET /api/sessions/mine (the caller's own, as agent; cobrowse permission). */
export interface ListSessionsResponse {
	sessions: LiveSessionView[];
}
