/**
 * One participant's WebSocket: parses every frame against the protocol, dispatches
 * requests to the session with the participant's identity, and replies by id.
 *
 * A bad frame gets an error reply naming what was wrong and the connection stays up.
 * Closing the socket is leaving the session.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { announceable } from '../sfu/Room.js';
import { formatAgentName } from '../protocol/brand.js';
import type { Audit } from './audit.js';
import type { Tokens } from './auth/types.js';
import { AppError, BadRequestError, ForbiddenError, LimitReachedError, NotFoundError, toAppError } from '../protocol/errors.js';
import type { Metrics } from './metrics.js';
import {
	describeZodError,
	isRequestType,
	type NotificationType,
	type Notifications,
	type ParsedRequestData,
	type Replies,
	RequestEnvelope,
	Requests,
	type RequestType,
	type Role,
} from '../protocol/wire.js';
import { type FaultScope, runInScope } from './faults.js';
import { renditionFor, type Session } from './Session.js';
import { customerSessionToken, type PinService } from './pins/PinService.js';
import type { PinWatchers } from './pins/PinWatchers.js';
import type { Store, User } from './store/Store.js';
import { navigationTarget } from './urls.js';

export interface ConnectionContext {
	tokens: Tokens;
	store: Store;
	pins: PinService;
	watchers: PinWatchers;
	audit: Audit;
	/** A live session bound to a company; warm, unbound sessions are never found. */
	findSession(id: string): Session | undefined;
	/**
	 * Calls `listener` whenever the user's account changes (disabled, permissions, role), so
	 * that a live connection follows it at once. Returns the unsubscribe function.
	 */
	onUserChanged(userId: string, listener: () => void): () => void;
	metrics: Metrics;
	logger: Logger;
	/** The client's address (through trusted proxies only), for the audit log. */
	clientAddress: string;
	/** Takes one frame from the client address's budget; false means drop it. */
	takeFrame(): boolean;
	/** How long the socket may stay without joining a session or watching a PIN. */
	joinTimeoutMs: number;
	/** The search engine the URL bar sends words to (`%s`: the words); none: words are refused. */
	searchUrl: string | undefined;
	/** Starting and stopping a session's recording by its agent. */
	recording: {
		/** Whether this user, as the session's agent, may start and stop its recording. */
		mayRecord(session: Session, user: User): boolean;
		set(session: Session, user: User, recording: boolean): Promise<void>;
	};
}

interface Joined {
	session: Session;
	participantId: string;
	role: Role;
	/** The user id, or the customer token's participant key: who the audit log names. */
	actorId: string;
	/** Stops following the user's account (users only). */
	unfollow?: () => void;
}

type Handler<T extends RequestType> = (joined: Joined, data: ParsedRequestData<T>) => Promise<Replies[T]>;

export class SignalingConnection {
	readonly #socket: WebSocket;
	readonly #context: ConnectionContext;
	readonly #localAddress: string;
	#logger: Logger;
	#joined: Joined | undefined;
	#unwatch: (() => void) | undefined;
	#closed = false;
	/** What this connection's work runs in: an error escaping it closes this connection only. */
	readonly #scope: FaultScope;
	/** Closes a socket that neither joins nor watches in time (it would only hold resources). */
	#joinTimer: NodeJS.Timeout | undefined;
	/** When a refusal for flooding was last sent: at most one a second. */
	#floodRepliedAt = 0;

	constructor(socket: WebSocket, localAddress: string, context: ConnectionContext) {
		this.#socket = socket;
		this.#context = context;
		this.#localAddress = announceable(localAddress);
		this.#logger = context.logger;
		this.#scope = { kind: 'connection', id: randomUUID(), fail: (error) => this.fail(error) };
		socket.on('message', (data, isBinary) =>
			runInScope(this.#scope, () => {
				if (this.#joined) this.#joined.session.seen(this.#joined.participantId);
				if (!context.takeFrame()) return this.#onFlood();
				if (isBinary) return this.#replyError(null, new BadRequestError('frames must be JSON text'));
				this.#onFrame(data.toString()).catch((error: unknown) => this.fail(error));
			}),
		);
		socket.on('close', () => this.#onSocketClosed());
		this.#armJoinTimer();
		socket.on('error', (error) => this.#logger.debug({ err: error.message }, 'socket error'));
	}

	/**
	 * Something failed that no request handler caught (a bug): logged and counted, and this
	 * connection is closed (1011), leaving its session; every other connection goes on.
	 */
	fail(error: unknown): void {
		if (this.#closed) return;
		this.#context.metrics.signalingErrors.inc({ code: 'internal' });
		this.#logger.error({ err: error }, 'connection failed; closing it');
		this.#closeWith(1011, 'internal error');
	}

	/**
	 * The socket closed under us (a network drop, a closed tab, a reload, a missed
	 * keepalive): the participant is not gone yet, it may come back as itself (see
	 * Session.dropped); the audit log says it left only if it does not.
	 */
	#onSocketClosed(): void {
		if (this.#closed) return;
		this.#closed = true;
		clearTimeout(this.#joinTimer);
		this.#unwatch?.();
		const joined = this.#unjoin();
		if (!joined || joined.session.ended) return;
		joined.session.dropped(joined.participantId, () => this.#audit(joined, 'session.left', { reason: 'connection lost' }));
	}

	/** Leaves the session and closes the socket. Safe to call twice. */
	close(): void {
		this.#closeWith(1000, '');
	}

	#closeWith(code: number, reason: string): void {
		if (this.#closed) return;
		this.#closed = true;
		clearTimeout(this.#joinTimer);
		try {
			this.#unwatch?.();
			this.#leave();
		} finally {
			this.#socket.close(code, reason);
		}
	}

	/** Leaves the joined session, staying connected (e.g. a supervisor back to the list). */
	leave(): void {
		this.#leave();
	}

	/** Starts the wait for a join (or a PIN watch); a socket that does neither is closed (4408). */
	#armJoinTimer(): void {
		clearTimeout(this.#joinTimer);
		this.#joinTimer = setTimeout(() => {
			if (this.#joined || this.#unwatch) return;
			this.#context.metrics.limitRefusals.inc({ limit: 'join_timeout' });
			this.#closeWith(4408, 'join timeout');
		}, this.#context.joinTimeoutMs);
		this.#joinTimer.unref();
	}

	/** The client address sends more frames than its budget: drop this one, say so now and then. */
	#onFlood(): void {
		this.#context.metrics.limitRefusals.inc({ limit: 'address_frames' });
		const now = Date.now();
		if (now - this.#floodRepliedAt < 1000) return;
		this.#floodRepliedAt = now;
		this.#replyError(null, new AppError('rate_limited', 'too many messages; some were dropped', 429));
	}

	/** Leaves the joined session (if any) and writes it to the audit log, with `reason` if it was not the participant's choice. */
	#leave(reason?: string): void {
		const joined = this.#unjoin();
		if (!joined || joined.session.ended) return;
		joined.session.leave(joined.participantId);
		this.#audit(joined, 'session.left', reason ? { reason } : {});
	}

	/** Forgets the joined session without telling it (it has ended, or removed us itself). */
	#unjoin(): Joined | undefined {
		const joined = this.#joined;
		if (!joined) return undefined;
		this.#joined = undefined;
		joined.unfollow?.();
		if (!this.#closed) this.#armJoinTimer();
		return joined;
	}

	/** Audits an action of this connection's participant (it has joined). */
	audit(action: string, detail: Record<string, unknown> = {}): void {
		if (this.#joined) this.#audit(this.#joined, action, detail);
	}

	#audit(joined: Joined, action: string, detail: Record<string, unknown> = {}): void {
		this.#context.audit({
			companyId: joined.session.binding!.companyId,
			actorType: joined.role === 'customer' ? 'customer' : 'user',
			actorId: joined.actorId,
			action,
			sessionId: joined.session.id,
			detail: { role: joined.role, participantId: joined.participantId, ...detail },
			ip: this.#context.clientAddress,
		});
	}

	/**
	 * The same actor joined again from another connection: the session removed us (or, with
	 * `resumed`, moved the participant to the new connection: it has not left); say so and close.
	 */
	#replaced(resumed: boolean): void {
		const joined = this.#unjoin();
		if (!joined) return;
		if (!resumed) this.#audit(joined, 'session.left', { reason: 'replaced' });
		this.#send({ type: 'session/replaced', data: {} });
		this.#closeWith(4409, 'joined elsewhere');
	}

	/**
	 * The user's account changed: apply it to this live connection at once. A disabled user,
	 * or one who lost the right to be here, leaves and is disconnected; an agent whose control
	 * permission changed keeps watching with the channels it may use now.
	 */
	async #followUser(userId: string): Promise<void> {
		const joined = this.#joined;
		if (!joined) return;
		const user = await this.#context.store.getUser(userId);
		if (this.#joined !== joined) return;
		const rights = user && rightsOf(user, joined.role, joined.session);
		if (!rights) {
			this.#leave('rights_revoked');
			this.#closeWith(4403, 'rights revoked');
			return;
		}
		joined.session.setControl(joined.participantId, rights.canControl);
	}

	notify<T extends NotificationType>(type: T, data: Notifications[T]): void {
		this.#send({ type, data });
		// NOTE: the socket stays open: an agent may start the next session on it.
		if (type === 'session/ended') this.#unjoin();
	}

	/** Answers one frame: exactly one reply for a frame with a usable id, never a throw. */
	async #onFrame(text: string): Promise<void> {
		let id: number | null = null;
		let type: RequestType | undefined;
		try {
			let json: unknown;
			try {
				json = JSON.parse(text);
			} catch {
				return this.#replyError(null, new BadRequestError('frame is not valid JSON'));
			}
			const envelope = RequestEnvelope.safeParse(json);
			if (!envelope.success) {
				const candidate = (json as { id?: unknown } | null)?.id;
				id = typeof candidate === 'number' && Number.isSafeInteger(candidate) && candidate >= 0 ? candidate : null;
				return this.#replyError(id, new BadRequestError(describeZodError(envelope.error)));
			}
			id = envelope.data.id;
			if (!isRequestType(envelope.data.type)) {
				return this.#replyError(id, new AppError('unknown_type', `unknown message type "${envelope.data.type}"`, 400));
			}
			type = envelope.data.type;
			this.#context.metrics.signalingRequests.inc({ type });
			const parsed = Requests[type].safeParse(envelope.data.data ?? {});
			if (!parsed.success) return this.#replyError(id, new BadRequestError(describeZodError(parsed.error)));
			const data = await this.#dispatch(type, parsed.data);
			this.#send({ id, ok: true, data });
		} catch (error) {
			const appError = toAppError(error);
			if (appError.code === 'internal') this.#logger.error({ err: error, type }, 'request failed');
			this.#replyError(id, appError);
		}
	}

	async #dispatch(type: RequestType, data: unknown): Promise<unknown> {
		if (type === 'session/join') return this.#join(data as ParsedRequestData<'session/join'>);
		if (type === 'pin/watch') return this.#watch(data as ParsedRequestData<'pin/watch'>);
		if (!this.#joined) throw new AppError('not_joined', 'send session/join first', 409);
		const handler = HANDLERS[type] as Handler<RequestType>;
		return handler.call(this, this.#joined, data as never);
	}

	/**
	 * Joins a session. A customer presents the session token its PIN earned; a user
	 * presents an access token and names the session. Every way in checks the company: a
	 * session of another company is "not found", exactly like one that does not exist.
	 */
	async #join(data: ParsedRequestData<'session/join'>): Promise<Replies['session/join']> {
		if (this.#joined) throw new AppError('already_joined', 'already joined', 409);
		const claims = this.#context.tokens.verify(data.token);
		let session: Session | undefined;
		let role: Role;
		let name: string;
		let canControl: boolean;
		let actorId: string;
		let user: User | undefined;
		if (claims.typ === 'session') {
			session = this.#context.findSession(claims.sid);
			if (!session || session.binding?.companyId !== claims.cid) throw new AppError('session_ended', 'this session has ended', 410);
			role = 'customer';
			name = data.name ?? claims.name;
			canControl = true;
			actorId = claims.sub;
		} else {
			if (!data.sessionId) throw new BadRequestError('sessionId: required');
			// NOTE: tokens live minutes; a user disabled since must not join.
			user = await this.#context.store.getUser(claims.sub);
			if (!user || user.disabled) throw new AppError('unauthorized', 'account disabled', 401);
			session = this.#context.findSession(data.sessionId);
			if (!session || session.binding?.companyId !== user.companyId) throw new NotFoundError('session');
			role = data.as ?? (session.binding.agentUserId === user.id ? 'agent' : 'supervisor');
			const rights = rightsOf(user, role, session);
			if (!rights) {
				throw new ForbiddenError(role === 'agent' ? 'only the agent who started this session can join it as the agent' : 'your account cannot supervise sessions');
			}
			// NOTE: the agent as the company shows it to customers ("Marco R."); supervisors are never shown.
			name = role === 'agent' ? formatAgentName(user.name, session.binding.agentNameFormat ?? 'full') : user.name;
			canControl = rights.canControl;
			actorId = user.id;
		}
		const { self, participants, inputChannels, resumed } = session.join({
			info: { id: randomUUID(), name, role },
			// NOTE: one participant per actor: the same customer token or user joining again
			// (another tab, a reconnect before the old socket timed out) replaces the earlier one.
			actor: `${role === 'customer' ? 'customer' : 'user'}:${actorId}`,
			notify: (type, payload) => this.notify(type, payload),
			canControl,
			onReplaced: (resumed) => this.#replaced(resumed),
		});
		const scope = this.#scope;
		const userId = user?.id;
		const unfollow = userId ? this.#context.onUserChanged(userId, () => runInScope(scope, () => void this.#followUser(userId).catch((error: unknown) => this.fail(error)))) : undefined;
		const participantId = self.id;
		this.#joined = { session, participantId, role, actorId, ...(unfollow ? { unfollow } : {}) };
		clearTimeout(this.#joinTimer);
		this.#logger = this.#context.logger.child({ sessionId: session.id, participantId });
		// NOTE: back after a dropped connection: the same participant, not a second join.
		this.#audit(this.#joined, resumed ? 'session.resumed' : 'session.joined');
		return {
			sessionId: session.id,
			self,
			participants,
			routerRtpCapabilities: session.room.rtpCapabilities as unknown as Record<string, unknown>,
			browser: session.browserStateFor(role),
			inputChannels,
			supervisionAnnounced: role === 'customer' && session.binding!.announceSupervision,
			dialog: session.dialogFor(participantId),
			picker: session.pickerFor(participantId),
			fileRequest: session.fileRequestFor(participantId),
			chat: session.chatFor(participantId),
			...session.annotationsFor(participantId),
			control: session.control,
			recording: session.recording,
			mayRecord: role === 'agent' && user !== undefined && this.#context.recording.mayRecord(session, user),
		};
	}

	/** A customer's page waits for its PIN: told `pin/redeemed` (with its session token) or `pin/expired`. */
	async #watch(data: ParsedRequestData<'pin/watch'>): Promise<Replies['pin/watch']> {
		const pin = await this.#context.pins.byWatchToken(data.watchToken);
		if (!pin) throw new NotFoundError('PIN');
		this.#unwatch?.();
		const redeemed = (sessionId: string) => {
			const session = this.#context.findSession(sessionId);
			if (!session?.binding) return this.notify('pin/expired', {});
			this.notify('pin/redeemed', { sessionId, token: customerSessionToken(this.#context.tokens, pin, sessionId) });
		};
		if (pin.sessionId) {
			// NOTE: the page reconnected between redemption and joining: hand it its token again,
			// but only until the customer has joined (the page keeps the token from then on).
			if (this.#context.findSession(pin.sessionId)?.customerHasJoined !== false) throw new NotFoundError('PIN');
			setImmediate(() => redeemed(pin.sessionId!));
		} else if (pin.expiresAt <= Date.now()) {
			setImmediate(() => this.notify('pin/expired', {}));
		} else {
			this.#unwatch = this.#context.watchers.watch(pin.id, pin.expiresAt, { redeemed, expired: () => this.notify('pin/expired', {}) });
		}
		return { expiresAt: pin.expiresAt, expiresIn: Math.max(0, Math.round((pin.expiresAt - Date.now()) / 1000)) };
	}

	#send(message: unknown): void {
		if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(JSON.stringify(message));
	}

	#replyError(id: number | null, error: AppError): void {
		this.#context.metrics.signalingErrors.inc({ code: error.code });
		if (error instanceof LimitReachedError) this.#context.metrics.limitRefusals.inc({ limit: error.limit });
		this.#send({ id, ok: false, error: { code: error.code, message: error.message } });
	}

	/** Where the URL bar sends words (see ALONGSIDE_SEARCH_URL). */
	get searchUrl(): string | undefined {
		return this.#context.searchUrl;
	}

	/** Agents: start or stop recording, if the company lets agents and this one may record (checked on the account as it is now). */
	async setRecording(joined: Joined, recording: boolean): Promise<void> {
		const user = joined.role === 'agent' ? await this.#context.store.getUser(joined.actorId) : undefined;
		if (!user || !this.#context.recording.mayRecord(joined.session, user)) throw new ForbiddenError('you cannot start or stop recording in this session');
		await this.#context.recording.set(joined.session, user, recording);
		this.audit(recording ? 'recording.started' : 'recording.stopped');
	}

	/** The local address the socket arrived on, for ICE candidates. */
	get localAddress(): string {
		return this.#localAddress;
	}
}

/**
 * What a user may do in a session as `role`, from the account as it is now; undefined if the
 * user may not be there at all. Checked at join and again whenever the account changes.
 */
function rightsOf(user: User, role: Role, session: Session): { canControl: boolean } | undefined {
	if (user.disabled || user.companyId !== session.binding?.companyId) return undefined;
	// NOTE: a rules preview is the admin's own browsing, private to them, with both renditions.
	if (session.binding.preview) return role === 'agent' && session.binding.agentUserId === user.id && user.role === 'admin' ? { canControl: true } : undefined;
	if (role === 'agent') return session.binding.agentUserId === user.id && user.permissions.cobrowse ? { canControl: user.permissions.control } : undefined;
	if (role === 'supervisor') return user.permissions.supervise ? { canControl: false } : undefined;
	return undefined;
}

/** Requests of a joined participant; the session checks its rights. */
const HANDLERS: { [T in Exclude<RequestType, 'session/join' | 'pin/watch'>]: Handler<T> } = {
	async 'session/ping'(joined) {
		joined.session.seen(joined.participantId, true);
		return {};
	},
	async 'session/leave'(this: SignalingConnection) {
		this.leave();
		return {};
	},
	async 'session/end'(this: SignalingConnection, joined) {
		// NOTE: a supervisor steps in: the end is audited with who did it.
		if (joined.role === 'supervisor') this.audit('session.ended_by_supervisor');
		await joined.session.end(joined.role === 'customer' ? 'customer_ended' : joined.role === 'supervisor' ? 'supervisor_ended' : 'agent_ended');
		return {};
	},
	async 'chat/send'(joined, data) {
		return { message: joined.session.sendChat(joined.participantId, data.text) };
	},
	async 'chat/note'(this: SignalingConnection, joined, data) {
		const message = joined.session.sendChat(joined.participantId, data.text, true);
		// NOTE: that a note was sent, never what it said.
		this.audit('session.note');
		return { message };
	},
	async 'control/pause'(joined, data) {
		joined.session.pauseControl(joined.participantId, data.paused);
		return {};
	},
	async 'control/request'(joined) {
		joined.session.requestControl(joined.participantId);
		return {};
	},
	async 'recording/set'(this: SignalingConnection, joined, data) {
		await this.setRecording(joined, data.recording);
		return {};
	},
	async 'control/answer'(joined, data) {
		joined.session.answerControl(joined.participantId, data.accept);
		return {};
	},
	async 'annotations/open'(joined, data) {
		return { dataProducerId: await joined.session.openAnnotate(joined.participantId, data.transportId, data.sctpStreamParameters) };
	},
	async 'annotations/consume'(joined, data) {
		return joined.session.consumeAnnotations(joined.participantId, data.transportId);
	},
	async 'transport/create'(this: SignalingConnection, joined, data) {
		return joined.session.createTransport(joined.participantId, data.direction, this.localAddress);
	},
	async 'transport/connect'(joined, data) {
		await joined.session.connectTransport(joined.participantId, data.transportId, data.dtlsParameters);
		return {};
	},
	async 'media/consume'(joined, data) {
		return joined.session.consumeVideo(joined.participantId, data.transportId, data.rtpCapabilities, data.rendition);
	},
	async 'media/resume'(joined, data) {
		await joined.session.resumeVideo(joined.participantId, data.consumerId);
		return {};
	},
	async 'media/keyframe'(joined, data) {
		await joined.session.requestKeyFrame(joined.participantId, data.consumerId);
		return {};
	},
	async 'input/open'(joined, data) {
		const dataProducerId = await joined.session.openInput(joined.participantId, data.transportId, data.label, data.sctpStreamParameters);
		return { dataProducerId };
	},
	async 'cursors/consume'(joined, data) {
		return joined.session.consumeCursors(joined.participantId, data.transportId);
	},
	async 'browser/navigate'(this: SignalingConnection, joined, data) {
		const url = navigationTarget(data.url, this.searchUrl);
		await joined.session.navigate(joined.participantId, url);
		return { url };
	},
	async 'browser/device'(joined, data) {
		joined.session.setDevice(joined.participantId, data.device);
		return {};
	},
	async 'browser/locale'(joined, data) {
		joined.session.setLocale(joined.participantId, data);
		return {};
	},
	async 'browser/shape'(joined, data) {
		joined.session.setShape(joined.participantId, data.name);
		return {};
	},
	async 'dialog/answer'(joined, data) {
		await joined.session.answerDialog(joined.participantId, data.id, data.accept, data.text);
		return {};
	},
	async 'picker/answer'(joined, data) {
		await joined.session.answerPicker(joined.participantId, data.id, data.value);
		return {};
	},
	async 'clipboard/copy'(joined) {
		return { text: await joined.session.copySelection(joined.participantId) };
	},
	async 'file/cancel'(joined, data) {
		await joined.session.cancelUpload(joined.participantId, data.id);
		return {};
	},
	async 'browser/tab'(joined, data) {
		await joined.session.tab(joined.participantId, data);
		return {};
	},
	async 'browser/history'(joined, data) {
		await joined.session.history(joined.participantId, data.action).catch((error: unknown) => {
			if (error instanceof AppError) throw error;
			throw new NotFoundError(`history entry (${data.action})`);
		});
		return {};
	},
};
