/**
 * What happens in a session, as one typed stream: the session's timeline (its report), the
 * company's reports and, later, webhooks read these instead of ad-hoc strings. Each event
 * names people by their shown name and role; none carries what masking hides (addresses
 * are the agent's view of them, without query or fragment).
 */
import type { AttemptKind, RefusalReason } from '../protocol/masking.js';
import type { Role, SessionEndReason } from '../protocol/wire.js';

export type SessionEvent =
	| { type: 'participant.joined'; role: Role; name: string }
	| { type: 'participant.left'; role: Role; name: string }
	/** The shown tab's page changed: its address (origin and path) and title, as agents see them. */
	| { type: 'page.visited'; tab: string; url: string; title: string }
	| { type: 'tab.opened'; tab: string }
	| { type: 'tab.closed'; tab: string }
	| { type: 'tab.switched'; tab: string }
	| { type: 'annotation.drawn'; role: Role; name: string; tool: string }
	| { type: 'input.refused'; name: string; reason: RefusalReason; kind: AttemptKind }
	| { type: 'control.paused' }
	| { type: 'control.resumed' }
	| { type: 'recording.started'; by: string | null }
	| { type: 'recording.stopped'; by: string | null; reason: 'stopped' | 'ended' | 'failed' }
	| { type: 'session.ended'; reason: SessionEndReason };

export type SessionEventType = SessionEvent['type'];

/** An event as kept: when, and the event. */
export type TimedSessionEvent = SessionEvent & { at: number };

/** An address as a timeline shows it: origin and path only (a query may hold a token or a name). */
export function timelineAddress(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${parsed.protocol}`;
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return '';
	}
}
