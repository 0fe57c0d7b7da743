/** /api/reports: the company's reports over a date range (supervisors and admins). */
import { z } from 'zod';

export const ReportQuery = z.object({
	/** From and to, ms since the epoch; default: the last 30 days. */
	from: z.coerce.number().int().min(0).optional(),
	to: z.coerce.number().int().min(0).optional(),
	/** One agent's sessions only. */
	agent: z.string().min(1).max(64).optional(),
	/** The reader's time zone, for the days (IANA name). Default UTC. */
	tz: z.string().min(1).max(64).default('UTC'),
	/** `csv`: one row per session. */
	format: z.enum(['json', 'csv']).default('json'),
});

/** A session as the reports count it. */
export interface ReportSession {
	id: string;
	agentUserId: string;
	startedAt: number;
	endedAt: number | null;
	endReason: string | null;
	outcome?: string | null;
	refusals: Record<string, number>;
	recorded: boolean;
}

export interface CompanyReport {
	range: { from: number; to: number; timeZone: string };
	totals: { sessions: number; recorded: number; durationMsMean: number | null; durationMsMedian: number | null };
	/** Sessions started each day (in the reader's time zone), days with none left out. */
	perDay: Array<{ day: string; sessions: number }>;
	perAgent: Array<{ agentId: string; name: string | null; sessions: number; durationMsMean: number | null; refusals: number; outcomes: Record<string, number> }>;
	/** How sessions ended (`agent_ended`, `customer_ended`, `browser_crashed`…; `live`: not yet). */
	endings: Record<string, number>;
	/** The agents' outcomes (`''`: not wrapped up). */
	outcomes: Record<string, number>;
	/** Refused agent actions by rule. */
	refusals: Record<string, number>;
}
