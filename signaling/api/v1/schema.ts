/**
 * The integration API (`/api/v1`): what a CRM or a contact-centre suite sends and gets,
 * as zod schemas. The routes parse requests with them, the tests check responses with
 * them, and the OpenAPI document (`/api/openapi.json`) is generated from them, so the
 * three cannot drift apart.
 */
import 'zod-openapi';
import { z } from 'zod';
import { API_SCOPES } from '../../store/Store.js';

export const Scope = z.enum(API_SCOPES).meta({ id: 'Scope', description: 'What an API key may do.' });

/** An integration's own reference (a ticket or case id). */
const Reference = z
	.string()
	.trim()
	.min(1)
	.max(200)
	.regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters')
	.meta({ description: "Your own reference for the session (a ticket or case id); sessions can be listed by it.", example: 'CASE-1042' });

const Time = z.number().int().meta({ description: 'Milliseconds since the Unix epoch (UTC).', example: 1796325155502 });
/** Ids are opaque: letters, digits and dashes. */
const Id = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not an id');

export const IssuePinBody = z
	.object({
		reference: Reference.optional(),
		lang: z
			.string()
			.regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'a language tag such as it or it-IT')
			.max(35)
			.optional()
			.meta({ description: "The customer's language (BCP 47), for their page and the cloud browser.", example: 'it-IT' }),
		timeZone: z.string().min(1).max(64).optional().meta({ description: "The customer's IANA time zone, for the cloud browser.", example: 'Europe/Rome' }),
	})
	.strict()
	.meta({ id: 'IssuePinRequest' });

export const IssuedPin = z
	.object({
		pin: z.string().regex(/^\d{6}$/).meta({ description: 'The PIN an agent of your company redeems to start the session.', example: '482913' }),
		expiresAt: Time,
		expiresIn: z.number().int().min(0).meta({ description: 'Seconds until the PIN expires, by the server clock.' }),
		customerUrl: z.url().meta({
			description:
				"Send this to the customer (SMS, chat, e-mail): it opens their page already holding this PIN, and takes them into the session when an agent redeems it. It carries a secret in its fragment: treat it like a password, and do not log it.",
		}),
		reference: Reference.nullable(),
	})
	.meta({ id: 'IssuedPin' });

export const SessionSummary = z
	.object({
		id: Id,
		reference: Reference.nullable(),
		live: z.boolean().meta({ description: 'Whether the session is running now.' }),
		agent: z.object({ id: Id, name: z.string().nullable() }),
		startedAt: Time,
		endedAt: Time.nullable(),
		endReason: z.string().nullable().meta({ description: 'How it ended: agent_ended, customer_ended, supervisor_ended, api_ended, idle, server_shutdown, browser_crashed, media_failed, internal_error.' }),
		outcome: z.string().nullable().meta({ description: "The agent's wrap-up outcome, from your company's list." }),
	})
	.meta({ id: 'Session' });

export const ListSessionsQuery = z
	.object({
		reference: Reference.optional(),
		status: z.enum(['live', 'ended']).optional().meta({ description: 'Only live, or only ended, sessions. Default: both.' }),
		before: z.coerce.number().int().min(0).optional().meta({ description: 'Sessions started before this time (ms): the next page starts at the last startedAt of this one.' }),
		limit: z.coerce.number().int().min(1).max(200).default(50),
	})
	.strict();

export const SessionList = z.object({ sessions: z.array(SessionSummary) }).meta({ id: 'SessionList' });

export const SessionIdParams = z.object({ id: Id.meta({ description: 'The session id.' }) });
export const RecordingIdParams = z.object({ id: Id.meta({ description: 'The recording id.' }) });

export const Recording = z
	.object({
		id: Id,
		status: z.enum(['recording', 'ready', 'failed']),
		startedAt: Time,
		endedAt: Time.nullable(),
		durationMs: z.number().int().nullable(),
		bytes: z.number().int().nullable(),
	})
	.meta({ id: 'Recording' });

export const TimelineEvent = z
	.object({ at: Time, type: z.string().meta({ description: 'participant.joined, page.visited, input.refused, recording.started, session.ended…' }) })
	.catchall(z.unknown())
	.meta({ id: 'TimelineEvent', description: "One event of the session's timeline; its other fields depend on its type. Masked values never appear." });

export const ChatMessage = z
	.object({ at: Time, name: z.string(), role: z.enum(['agent', 'customer', 'supervisor']), text: z.string().meta({ description: 'What masking hides is replaced.' }), note: z.boolean().meta({ description: "A supervisor's private note to the agent." }) })
	.meta({ id: 'ChatMessage' });

export const SessionReport = z
	.object({
		session: SessionSummary,
		wrapupNotes: z.string().nullable(),
		events: z.array(TimelineEvent),
		chat: z.array(ChatMessage),
		recordings: z.array(Recording),
	})
	.meta({ id: 'SessionReport' });

export const RecordingLink = z
	.object({
		url: z.url().meta({ description: 'The MP4 (byte ranges served). Works until expiresAt, and only while this key is not revoked.' }),
		expiresAt: Time,
	})
	.meta({ id: 'RecordingLink' });

export const ApiError = z
	.object({
		error: z.object({
			code: z.string().meta({ description: 'Stable: bad_request, unauthorized, forbidden, not_found, conflict, rate_limited, internal…' }),
			message: z.string().meta({ description: 'For people; may change.' }),
		}),
	})
	.meta({ id: 'Error' });
