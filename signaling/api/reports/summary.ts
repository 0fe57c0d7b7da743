/**
 * The company's reports, from its sessions in a date range: per day (in the reader's time
 * zone) and per agent, durations, how sessions ended and with what outcome, refusals by
 * rule and by agent, recordings available. Pure, so it is tested without a server.
 */
import type { CompanyReport, ReportSession } from './schema.js';

/** The day (`yyyy-mm-dd`) of a time in a time zone. */
export function dayIn(timeZone: string, at: number): string {
	const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
	const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Whether a time zone name is one this runtime knows. */
export function validTimeZone(timeZone: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone });
		return true;
	} catch {
		return false;
	}
}

function median(values: number[]): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

const mean = (values: number[]) => (values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : null);

const bump = (counts: Record<string, number>, key: string, by = 1) => {
	counts[key] = (counts[key] ?? 0) + by;
};

export function summarize(sessions: ReportSession[], options: { from: number; to: number; timeZone: string; names: Map<string, string> }): CompanyReport {
	const durations = sessions.filter((s) => s.endedAt !== null).map((s) => s.endedAt! - s.startedAt);
	const perDay = new Map<string, number>();
	const perAgent = new Map<string, { durations: number[]; sessions: number; refusals: number; outcomes: Record<string, number> }>();
	const endings: Record<string, number> = {};
	const outcomes: Record<string, number> = {};
	const refusals: Record<string, number> = {};
	for (const s of sessions) {
		const day = dayIn(options.timeZone, s.startedAt);
		perDay.set(day, (perDay.get(day) ?? 0) + 1);
		const agent = perAgent.get(s.agentUserId) ?? { durations: [], sessions: 0, refusals: 0, outcomes: {} };
		agent.sessions++;
		if (s.endedAt !== null) agent.durations.push(s.endedAt - s.startedAt);
		bump(endings, s.endedAt === null ? 'live' : (s.endReason ?? 'unknown'));
		bump(outcomes, s.outcome ?? '');
		bump(agent.outcomes, s.outcome ?? '');
		for (const [reason, n] of Object.entries(s.refusals)) {
			bump(refusals, reason, n);
			agent.refusals += n;
		}
		perAgent.set(s.agentUserId, agent);
	}
	return {
		range: { from: options.from, to: options.to, timeZone: options.timeZone },
		totals: { sessions: sessions.length, recorded: sessions.filter((s) => s.recorded).length, durationMsMean: mean(durations), durationMsMedian: median(durations) },
		perDay: [...perDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, count]) => ({ day, sessions: count })),
		perAgent: [...perAgent]
			.map(([id, a]) => ({ agentId: id, name: options.names.get(id) ?? null, sessions: a.sessions, durationMsMean: mean(a.durations), refusals: a.refusals, outcomes: a.outcomes }))
			.sort((a, b) => b.sessions - a.sessions),
		endings,
		outcomes,
		refusals,
	};
}
