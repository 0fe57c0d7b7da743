/**
 * The Alongside wire protocol, defined once.
 *
 * Three channels carry messages between the browser apps (web/) and the server:
 * - the WebSocket signaling channel: requests (`{ id, type, data }`) answered by replies
 *   (`{ id, ok: true, data }` or `{ id, ok: false, error: { code, message } }`), and
 *   notifications from the server (`{ type, data }`);
 * - the input data channels (viewer → cloud browser): {@link InputMessage};
 * - the cursor data channel (server → viewers): {@link CursorMessage}.
 *
 * Every message is parsed against these schemas on arrival; TypeScript types are inferred
 * from them. Message names read as `domain/action`. This module is imported by the
 * server and by the browser bundles, so it must not import anything Node-specific.
 */
import { z } from 'zod';
import type { Stroke } from './annotations.js';
import type { AttemptKind, RefusalReason } from './detector.js';
import { Device, ShapeName } from './shape.js';

/** Participant roles. Supervisors watch only: they never get an input channel. */
export const Role = z.enum(['agent', 'customer', 'supervisor']);
export type Role = z.infer<typeof Role>;

/** Roles that may send input to the cloud browser. */
export const INPUT_ROLES: readonly Role[] = ['agent', 'customer'];

/** Labels of the two input data channels a viewer opens (see {@link CHANNELS}). */
export const InputChannel = z.enum(['pointer', 'control']);
export type InputChannel = z.infer<typeof InputChannel>;

/** Label of the server-authored data channel that carries everyone's cursors. */
export const CURSOR_CHANNEL_LABEL = 'cursors';

// ---------------------------------------------------------------------------------------
// Opaque mediasoup parameter objects. The SFU validates their inner structure itself; at
// the edge we only require them to be objects so that a malformed frame fails early with a
// clear field name.
const Params = z.record(z.string(), z.unknown());

/** A normalized coordinate: 0 is the left/top edge of the video frame, 1 the right/bottom. */
const Norm = z.number().finite().min(0).max(1);
/** CDP modifier bit set: Alt=1, Ctrl=2, Meta=4, Shift=8. */
const Modifiers = z.number().int().min(0).max(15).default(0);
const Button = z.enum(['left', 'middle', 'right']);

// ---------------------------------------------------------------------------------------
// Input data-channel messages (viewer → cloud browser).
// NOTE: a message says only what the sender did. Who sent it is known from the data channel
// it arrived on, never from the message itself.

export const InputMessage = z.discriminatedUnion('type', [
	z.object({ type: z.literal('pointer/move'), x: Norm, y: Norm }),
	z.object({ type: z.literal('pointer/down'), x: Norm, y: Norm, button: Button.default('left'), clickCount: z.number().int().min(1).max(3).default(1), modifiers: Modifiers }),
	z.object({ type: z.literal('pointer/up'), x: Norm, y: Norm, button: Button.default('left'), clickCount: z.number().int().min(1).max(3).default(1), modifiers: Modifiers }),
	z.object({ type: z.literal('pointer/wheel'), x: Norm, y: Norm, dx: z.number().finite().min(-10000).max(10000), dy: z.number().finite().min(-10000).max(10000) }),
	z.object({ type: z.literal('pointer/leave') }),
	z.object({
		type: z.enum(['key/down', 'key/up']),
		/** `KeyboardEvent.key`, e.g. "a", "Enter", "ArrowLeft". */
		key: z.string().min(1).max(32),
		/** `KeyboardEvent.code`, e.g. "KeyA". */
		code: z.string().max(32).default(''),
		modifiers: Modifiers,
	}),
	/** Text committed by an on-screen keyboard or an IME, inserted as is. */
	z.object({ type: z.literal('text/insert'), text: z.string().min(1).max(1000) }),
	z.object({
		type: z.enum(['touch/start', 'touch/move', 'touch/end', 'touch/cancel']),
		touches: z.array(z.object({ id: z.number().int().min(0).max(1000), x: Norm, y: Norm })).max(10),
	}),
]);
export type InputMessage = z.infer<typeof InputMessage>;
export type InputType = InputMessage['type'];

/**
 * The channel table: how each input channel delivers, and which messages travel on which.
 * The viewer opens the channels with these options; the server refuses a channel opened
 * otherwise and a message on the wrong channel.
 * - `pointer`: pointer moves only. Unordered, never retransmitted: a late move is useless.
 * - `control`: everything else, reliable and ordered: presses, keys, text, touches, and
 *   wheel and leave too (a lost wheel step scrolls less; a lost leave leaves a hover on).
 */
export const CHANNELS: Record<InputChannel, { ordered: boolean; maxRetransmits?: number }> = {
	pointer: { ordered: false, maxRetransmits: 0 },
	control: { ordered: true },
};

/** The channel each input message travels on. */
export const CHANNEL_OF: Record<InputType, InputChannel> = {
	'pointer/move': 'pointer',
	'pointer/wheel': 'control',
	'pointer/leave': 'control',
	'pointer/down': 'control',
	'pointer/up': 'control',
	'key/down': 'control',
	'key/up': 'control',
	'text/insert': 'control',
	'touch/start': 'control',
	'touch/move': 'control',
	'touch/end': 'control',
	'touch/cancel': 'control',
};

/** Whether `tag` is a BCP 47 language tag (`it-IT`, `en`). */
function isLanguageTag(tag: string): boolean {
	try {
		return Intl.getCanonicalLocales(tag).length === 1;
	} catch {
		return false;
	}
}

/** Whether `zone` is an IANA time zone this runtime knows (`Europe/Rome`). */
function isTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

/**
 * A customer's language and time zone: the cloud browser takes them (Accept-Language,
 * `navigator.language`, `Intl`, dates) for the session.
 */
export const BrowserLocale = z.object({
	lang: z
		.string()
		.min(2)
		.max(35)
		.refine(isLanguageTag, 'not a language tag such as it-IT')
		.transform((tag) => Intl.getCanonicalLocales(tag)[0]!),
	timeZone: z.string().min(1).max(64).refine(isTimeZone, 'not a time zone such as Europe/Rome').optional(),
});
export type BrowserLocale = z.infer<typeof BrowserLocale>;

/** The longest chat message, in characters (code points). */
export const CHAT_MAX_CHARS = 1000;

/** Cursor positions fanned out by the server to every viewer, on the cursor channel. */
export const CursorMessage = z.discriminatedUnion('type', [
	z.object({ type: z.literal('cursor/move'), participantId: z.string(), x: Norm, y: Norm }),
	z.object({ type: z.literal('cursor/hide'), participantId: z.string() }),
]);
export type CursorMessage = z.infer<typeof CursorMessage>;

// ---------------------------------------------------------------------------------------
// Display names that participants choose.

/**
 * Words a chosen display name may not contain, in the languages of the apps: a customer
 * called "Alex (Agent)" would pass for the agent beside the cursor.
 */
const ROLE_WORDS = [
	'agent', 'agente', 'supervisor', 'supervisore', 'admin', 'administrator', 'amministratore', 'operator', 'operatore',
	'support', 'supporto', 'assistenza', 'staff', 'system', 'sistema', 'moderator', 'moderatore', 'alongside',
];
const ROLE_WORD = new RegExp(`(^|[^\\p{L}\\p{N}])(${ROLE_WORDS.join('|')})(?=$|[^\\p{L}\\p{N}])`, 'iu');

/**
 * Normalizes a chosen name: NFKC, without control and format characters (bidirectional
 * overrides, zero-width joiners), whitespace collapsed.
 */
export function normalizeDisplayName(name: string): string {
	return name
		.normalize('NFKC')
		.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, '')
		.replace(/\s+/gu, ' ')
		.trim();
}

/** Whether a name names a role ("Agent", "Sam, supervisore"), accents and case ignored. */
export function namesRole(name: string): boolean {
	return ROLE_WORD.test(name.normalize('NFKD').replace(/\p{M}/gu, ''));
}

/** A display name a participant chooses: 1 to 60 characters once normalized, naming no role. */
export const DisplayName = z
	.string()
	.max(200)
	.transform(normalizeDisplayName)
	.pipe(z.string().min(1).max(60))
	.refine((name) => !namesRole(name), 'may not name a role such as "Agent" or "Supervisor"');

// ---------------------------------------------------------------------------------------
// Signaling requests (client → server), one schema per `type`.

export const Requests = {
	/** Join the session the connection's credentials name. Must be the first request. */
	'session/join': z.object({
		/**
		 * The participant's credential, never sent in a URL query: a customer's session token
		 * (from `pin/redeemed`), or a user's access token (from /api/auth/login).
		 */
		token: z.string().min(16).max(4096),
		/** Which session, for users; a customer's token names its session itself. */
		sessionId: z.string().min(1).max(64).optional(),
		/**
		 * How a user joins: `agent` (only the agent who redeemed the PIN) or `supervisor`
		 * (silent, view only; needs the supervise permission). Default: agent if the user
		 * redeemed this session's PIN, else supervisor.
		 */
		as: z.enum(['agent', 'supervisor']).optional(),
		/**
		 * Display name shown beside a customer's cursor (users' names come from their
		 * accounts). It may not name a role: see {@link DisplayName}.
		 */
		name: DisplayName.optional(),
	}),
	'session/leave': z.object({}),
	/**
	 * Joined participants send one every second: the server answers at once (the client
	 * knows its link is alive) and shows the others a participant who stops sending as
	 * reconnecting within 2 s.
	 */
	'session/ping': z.object({}),
	/** Ends the session for everyone (agent or customer). */
	'session/end': z.object({}),
	/**
	 * Before joining: the customer's page waits for its PIN to be redeemed. Answers at once;
	 * `pin/redeemed` or `pin/expired` follows.
	 */
	'pin/watch': z.object({ watchToken: z.string().min(20).max(200) }),
	'transport/create': z.object({ direction: z.enum(['send', 'recv']) }),
	'transport/connect': z.object({ transportId: z.string().min(1), dtlsParameters: Params }),
	/**
	 * Consume the video rendition the participant's role is entitled to (the server
	 * decides). Naming a `rendition` the role may not see is refused: only customers may
	 * consume `clear`.
	 */
	'media/consume': z.object({ transportId: z.string().min(1), rtpCapabilities: Params, rendition: z.enum(['clear', 'masked']).optional() }),
	'media/resume': z.object({ consumerId: z.string().min(1) }),
	'media/keyframe': z.object({ consumerId: z.string().min(1) }),
	/** Open an input channel: the client's DataProducer on its send transport. */
	'input/open': z.object({
		transportId: z.string().min(1),
		label: InputChannel,
		sctpStreamParameters: Params,
	}),
	/** Subscribe to the server's cursor channel on a recv transport. */
	'cursors/consume': z.object({ transportId: z.string().min(1) }),
	/**
	 * Open the annotation channel (see protocol/annotations.ts): the client's DataProducer on
	 * its send transport. Agents, and customers if the company allows it.
	 */
	'annotations/open': z.object({ transportId: z.string().min(1), sctpStreamParameters: Params }),
	/** Subscribe to the server's annotation channel on a recv transport. */
	'annotations/consume': z.object({ transportId: z.string().min(1) }),
	/**
	 * A chat message to everyone in the session (agents and customers; supervisors read).
	 * Plain text: nothing in it is ever rendered as markup or opened as a link.
	 */
	'chat/send': z.object({ text: z.string().min(1).max(CHAT_MAX_CHARS * 4) }),
	/** Supervisors: a note to the agent only (the customer never sees it). Audited. */
	'chat/note': z.object({ text: z.string().min(1).max(CHAT_MAX_CHARS * 4) }),
	/**
	 * Customers: pause the agent's control of the page (`paused: true`: the agent only
	 * watches), or give it back.
	 */
	'control/pause': z.object({ paused: z.boolean() }),
	/** Agents: ask the customer for control back while it is paused. */
	'control/request': z.object({}),
	/** Agents who may record, where the company lets agents start it: start or stop recording. */
	'recording/set': z.object({ recording: z.boolean() }),
	/** Customers: answer the agent's request for control. */
	'control/answer': z.object({ accept: z.boolean() }),
	'browser/navigate': z.object({ url: z.string().trim().min(1).max(2048) }),
	'browser/history': z.object({ action: z.enum(['back', 'forward', 'reload']) }),
	/** Opens a new tab (at the start page), captures another tab, or closes one (by its `TabInfo.id`). */
	'browser/tab': z.discriminatedUnion('action', [
		z.object({ action: z.literal('new') }),
		z.object({ action: z.literal('switch'), id: z.string().min(1).max(16) }),
		z.object({ action: z.literal('close'), id: z.string().min(1).max(16) }),
	]),
	/**
	 * Customers: the device the video is shown on (the stage's size, pixel ratio, touch),
	 * sent on joining and as it changes (a phone rotated). The page takes its shape unless
	 * the agent chose another.
	 */
	'browser/device': z.object({ device: Device }),
	/** Customers: their language (as chosen in the page) and time zone: the cloud browser takes them. */
	'browser/locale': BrowserLocale,
	/** Agents (who may drive the browser): the shape the page takes; `customer` follows the customer's device. */
	'browser/shape': z.object({ name: ShapeName }),
	/**
	 * Answers the page's open dialog (`dialog/opened`): OK or Cancel (`accept`), and a
	 * prompt's text. Refused if another dialog is open now, or if the participant may not
	 * give that answer (see {@link DialogView}).
	 */
	'dialog/answer': z.object({ id: z.number().int().nonnegative(), accept: z.boolean(), text: z.string().max(10_000).optional() }),
	/**
	 * Answers the page's open picker (`picker/opened`): for a select, the index of the option
	 * chosen; for a date, time or colour, the value in the input's own format
	 * (`2026-12-03`, `14:30`, `#1e40af`); null closes it without a choice.
	 */
	'picker/answer': z.object({ id: z.number().int().nonnegative(), value: z.string().max(100).nullable() }),
	/**
	 * What is selected in the page, for this device's clipboard (the customer, agents). For
	 * agents, refused when the selection touches anything masked.
	 */
	'clipboard/copy': z.object({}).strict(),
	/** Customers: closes the page's file request (`file/requested`) without a file. */
	'file/cancel': z.object({ id: z.number().int().nonnegative() }),
} as const;
export type RequestType = keyof typeof Requests;

/**
 * Whether `type` names a request. NOTE: an own-property check: `type in Requests` is also
 * true for "constructor", "__proto__" or "toString", inherited from Object.prototype.
 */
export function isRequestType(type: string): type is RequestType {
	return Object.hasOwn(Requests, type);
}
export type RequestData<T extends RequestType> = z.input<(typeof Requests)[T]>;
export type ParsedRequestData<T extends RequestType> = z.output<(typeof Requests)[T]>;

/** The envelope of every client frame, before its `data` is parsed by `type`. */
export const RequestEnvelope = z.object({
	id: z.number().int().nonnegative(),
	type: z.string().min(1).max(64),
	data: z.unknown().optional(),
});

// ---------------------------------------------------------------------------------------
// Replies: what each request answers with on success.

export interface ParticipantInfo {
	id: string;
	name: string;
	role: Role;
	/** The participant's connection is in trouble (silent for 2 s, or dropped and not back yet). */
	reconnecting?: boolean;
}

export interface BrowserState {
	url: string;
	title: string;
	loading: boolean;
	/** The captured viewport in CSS pixels; the video frame has the same aspect ratio. */
	viewport: { width: number; height: number };
	/** The device the page pretends to be (see protocol/shape.ts): which choice, what form, its pixel ratio. */
	shape: { name: ShapeName; form: 'phone' | 'tablet' | 'desktop'; dpr: number };
	/** The browser's tabs, in the order they opened (`url`, `title` and `loading` above are the active one's). */
	tabs: TabInfo[];
	/** The id of the tab everyone sees (its video; input goes there). */
	activeTab: string;
}

/** One tab of the cloud browser. */
export interface TabInfo {
	id: string;
	url: string;
	title: string;
	loading: boolean;
}

/** The kinds of browser-drawn picker (see `picker/opened`). */
export type PickerKind = 'select' | 'date' | 'time' | 'datetime-local' | 'month' | 'week' | 'color';

/**
 * A picker the page opened (Chromium draws it outside the page, so the video never shows
 * it), as one participant is shown it: what masking hides is hidden from agents and
 * supervisors, and only who may answer can.
 */
export interface PickerView {
	id: number;
	kind: PickerKind;
	/** The field's label. */
	label: string;
	/** A select's options, in order (answer with the index). */
	options?: Array<{ label: string; disabled: boolean; group?: string }>;
	/** The option selected now (-1: none). */
	selected?: number;
	/** A date, time or colour input's value, and bounds, in its own format. */
	value?: string;
	min?: string;
	max?: string;
	step?: string;
	answer: 'any' | 'none';
}

/**
 * The page asks for a file (an upload field was activated). The customer's device offers
 * its own file chooser; the file is sent with `POST /api/files/upload`, the token in
 * `X-Alongside-Upload`, the name in `X-File-Name` (URI-encoded), the bytes as the body.
 */
export interface FileRequest {
	id: number;
	/** The field takes several files (one is sent). */
	multiple: boolean;
	/** What the field wants (its `accept` attribute): give it to the device's chooser. */
	accept: string;
	/** The largest file the service takes, in bytes. */
	maxBytes: number;
	/** Customers only: the one-time token of the upload. */
	token?: string;
}

/** The kinds of dialog a page opens. */
export type DialogType = 'alert' | 'confirm' | 'prompt' | 'beforeunload';

/** A dialog the page opened, as one participant is shown it. */
export interface DialogView {
	id: number;
	type: DialogType;
	/** What the page says; for agents and supervisors, with what masking hides replaced by dots. */
	message: string;
	/** A prompt's default text (empty for agents and supervisors if it holds anything masked). */
	defaultValue: string;
	/** How this participant may answer: any way, only Cancel / Stay (it asks to buy or confirm), or not at all. */
	answer: 'any' | 'dismiss' | 'none';
}

/** A chat message as one participant is shown it. */
export interface ChatMessage {
	id: number;
	/** The author's participant id. */
	by: string;
	name: string;
	role: Role;
	text: string;
	/** Server time, ms since the epoch. */
	at: number;
	/** Part of the text is hidden from agents and supervisors (it holds what masking hides). */
	masked?: boolean;
	/** A supervisor's note to the agent: only the agent (and its author) read it. */
	note?: boolean;
}

/** Who drives the page: the customer may pause the agent's control, and the agent ask for it back. */
export interface ControlState {
	/** The customer paused the agent's control: agents only watch. */
	paused: boolean;
	/** An agent asked for control back and the customer has not answered yet. */
	requested: boolean;
}

/** A stroke shown now, as a joining viewer gets it (`endedAgoMs`: a highlighter lifted that long ago). */
export type StrokeSnapshot = Omit<Stroke, 'endedAt'> & { endedAgoMs?: number };

/** A subscription to one of the server's channels (cursors, annotations): what the viewer's DataConsumer needs. */
export interface DataConsumerInfo {
	dataConsumerId: string;
	dataProducerId: string;
	sctpStreamParameters: Record<string, unknown>;
	label: string;
	protocol: string;
}

export interface TransportInfo {
	id: string;
	iceParameters: Record<string, unknown>;
	iceCandidates: Record<string, unknown>[];
	dtlsParameters: Record<string, unknown>;
	sctpParameters?: Record<string, unknown>;
}

export interface Replies {
	'session/join': {
		sessionId: string;
		self: ParticipantInfo;
		/** Others in the session that this participant is allowed to know about. */
		participants: ParticipantInfo[];
		routerRtpCapabilities: Record<string, unknown>;
		browser: BrowserState;
		/** Input channels this participant may open; empty for supervisors and view-only agents. */
		inputChannels: InputChannel[];
		/** Customers only: whether the company tells customers sessions may be supervised. */
		supervisionAnnounced: boolean;
		/** The page's dialog open now, as this participant is shown it (see `dialog/opened`). */
		dialog: DialogView | null;
		/** The page's picker open now, as this participant is shown it (see `picker/opened`). */
		picker: PickerView | null;
		/** The page's file request open now, as this participant is shown it (see `file/requested`). */
		fileRequest: FileRequest | null;
		/** The chat so far, as this participant is shown it. */
		chat: ChatMessage[];
		/** Whether this participant may draw (open the annotation channel). */
		mayAnnotate: boolean;
		/** The strokes shown now. */
		annotations: StrokeSnapshot[];
		/** Where the shown tab is scrolled (see `page/scroll`). */
		scroll: PageScroll;
		control: ControlState;
		/** Whether the session is being recorded now (see `recording/state`). */
		recording: boolean;
		/** Agents: whether they may start and stop recording (`recording/set`). */
		mayRecord: boolean;
	};
	'session/leave': Record<string, never>;
	'session/ping': Record<string, never>;
	'session/end': Record<string, never>;
	/** `expiresIn`: seconds left by the server's clock (phones' clocks drift). */
	'pin/watch': { expiresAt: number; expiresIn: number };
	'transport/create': TransportInfo;
	'transport/connect': Record<string, never>;
	'media/consume': {
		consumerId: string;
		producerId: string;
		kind: 'video';
		rtpParameters: Record<string, unknown>;
		rendition: Rendition;
	};
	'media/resume': Record<string, never>;
	'media/keyframe': Record<string, never>;
	'input/open': { dataProducerId: string };
	'annotations/open': { dataProducerId: string };
	'annotations/consume': DataConsumerInfo;
	'chat/send': { message: ChatMessage };
	'chat/note': { message: ChatMessage };
	'control/pause': Record<string, never>;
	'control/request': Record<string, never>;
	'control/answer': Record<string, never>;
	'recording/set': Record<string, never>;
	'cursors/consume': DataConsumerInfo;
	'browser/navigate': { url: string };
	'browser/history': Record<string, never>;
	'browser/tab': Record<string, never>;
	'browser/device': Record<string, never>;
	'browser/locale': Record<string, never>;
	'browser/shape': Record<string, never>;
	'dialog/answer': Record<string, never>;
	'picker/answer': Record<string, never>;
	'file/cancel': Record<string, never>;
	'clipboard/copy': { text: string };
}

/** The video renditions: `clear` for the customer; `masked` for everyone else. */
export type Rendition = 'clear' | 'masked';

/** Stable error codes carried by error replies and REST errors. */
export const ErrorCode = z.enum([
	'bad_request',
	'unknown_type',
	'unauthorized',
	'forbidden',
	'not_joined',
	'already_joined',
	'not_found',
	'session_ended',
	'not_ready',
	'invalid_credentials',
	'invalid_pin',
	'locked_out',
	'rate_limited',
	/** A per-participant, per-agent or per-company cap was reached (transports, sessions, ...). */
	'limit_reached',
	/** This machine runs as many sessions as it can; try again later. */
	'at_capacity',
	/** The agent already runs as many live sessions as allowed: end one (or start with `replace`). */
	'agent_busy',
	/** The cloud browser may not open that address (not public, or not allowed for the company). */
	'navigation_refused',
	/** The page could not be opened (unreachable, timed out, certificate, interrupted). */
	'navigation_failed',
	'conflict',
	'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export type Reply<T extends RequestType = RequestType> =
	| { id: number; ok: true; data: Replies[T] }
	| { id: number; ok: false; error: { code: ErrorCode; message: string } };

// ---------------------------------------------------------------------------------------
// Notifications (server → client).

export interface Notifications {
	'participant/joined': ParticipantInfo;
	'participant/left': { id: string };
	/** A participant's connection is in trouble (`connected: false`: "reconnecting…"), or fine again. */
	'participant/connection': { id: string; connected: boolean };
	'browser/state': BrowserState;
	/** The video producer a participant consumes was replaced (e.g. the browser restarted). */
	'media/changed': { rendition: Rendition };
	/**
	 * To an agent: one of its input events was refused by the policy gateway (a locked
	 * control, a masked field, a part of the page it cannot check), and where it tried
	 * (fractions of the video; absent for keys and text).
	 */
	'input/refused': { reason: RefusalReason; kind: AttemptKind; x?: number; y?: number };
	/** To customers: the agent (by name) tried something only the customer may do. */
	'input/agent-tried': { name: string; reason: RefusalReason };
	/**
	 * To the admin in a rules preview: where the controls only the customer may press are,
	 * as fractions of the video (x, y, width, height), for outlines. At most every 300 ms.
	 */
	'lock/regions': { boxes: Array<[number, number, number, number]> };
	/** The page opened a dialog; the page is frozen until someone answers it. */
	'dialog/opened': DialogView;
	/** The page opened a picker (a select's list, a date, time or colour picker), as this participant is shown it. */
	'picker/opened': PickerView;
	/** The open picker closed: `chosen` when something was chosen (by whom, when a person did). */
	'picker/closed': { id: number; chosen: boolean; by?: string };
	/**
	 * Customers: the focus in the page moved into a field one types into (`editable`, and the
	 * keyboard that suits it: `text`, `email`, `tel`, `url`, `search`, `decimal`, `numeric`)
	 * or out of it: the phone opens or closes its keyboard.
	 */
	'page/focus': { editable: boolean; inputMode: string };
	/** The page asks for a file (see {@link FileRequest}); only the customer's has an upload token. */
	'file/requested': FileRequest;
	/** The file request closed: `filled` when a file went into the page. */
	'file/closed': { id: number; filled: boolean };
	/**
	 * The page downloaded a file. The customer's has a download token (`GET /api/files/download`
	 * with it in `X-Alongside-Download`); agents and supervisors are only told, the name with
	 * what masking hides replaced.
	 */
	'file/offered': { name: string; size: number; token?: string };
	/** Customers: a download the page started could not be offered (too large, too many, or it could not be fetched). */
	'file/failed': { name: string; reason: 'too_large' | 'too_many' | 'failed' };
	/** The dialog was answered (by `by`, a participant's name; absent when the page closed it itself). */
	'dialog/closed': { id: number; accepted: boolean; by?: string };
	/** The page tried to open a site the company does not allow (a link, a redirect): it stayed. */
	'navigation/refused': { message: string };
	'session/ended': { reason: SessionEndReason };
	/** To a customer's page watching its PIN: an agent redeemed it; join with this token. */
	'pin/redeemed': { sessionId: string; token: string };
	/** To a customer's page watching its PIN: it expired unredeemed. */
	'pin/expired': Record<string, never>;
	/**
	 * This participant's rights changed (an admin removed the control permission, say): the
	 * input channels it may use now. Channels no longer listed are closed by the server.
	 */
	'participant/rights': { inputChannels: InputChannel[] };
	/** A chat message (a supervisor's note reaches the agent only). */
	'chat/message': ChatMessage;
	/** Who drives the page changed: the customer paused or gave back the agent's control, or an agent asked for it. */
	'control/state': ControlState & { by?: string };
	/**
	 * Recording started or stopped (what is recorded is what agents see, never the customer's
	 * own view). `failed`: it stopped, or could not start, because the recorder failed; the
	 * session goes on unrecorded.
	 */
	'recording/state': { recording: boolean; failed?: true };
	/**
	 * Where the shown tab's page is scrolled (CSS px of the document) and its pinch zoom:
	 * annotations are drawn in page coordinates and follow it. Sent as it changes, at most
	 * once a frame.
	 */
	'page/scroll': PageScroll;
	/**
	 * The same customer joined again from another connection (another tab, a reconnect):
	 * this connection has left the session. Not an end: the session goes on there.
	 */
	'session/replaced': Record<string, never>;
	/**
	 * To customers: the regions of the page hidden from agents and supervisors right now,
	 * as fractions of the video (x, y, width, height), for the outlines on the customer's
	 * video. At most ten times a second.
	 */
	'mask/regions': { boxes: Array<[number, number, number, number]> };
}
export type NotificationType = keyof Notifications;
export type Notification<T extends NotificationType = NotificationType> = { type: T; data: Notifications[T] };

/** Where a tab's page is scrolled: the visual viewport's top-left in document CSS px, and its zoom. */
export interface PageScroll {
	tab: string;
	x: number;
	y: number;
	scale: number;
}

export type SessionEndReason = 'customer_ended' | 'agent_ended' | 'supervisor_ended' | 'api_ended' | 'idle' | 'server_shutdown' | 'browser_crashed' | 'media_failed' | 'internal_error';

/** Formats a zod error as one line naming each offending field. */
export function describeZodError(error: z.ZodError): string {
	return error.issues
		.slice(0, 5)
		.map((issue) => `${issue.path.length ? issue.path.join('.') : '(message)'}: ${issue.message}`)
		.join('; ');
}
