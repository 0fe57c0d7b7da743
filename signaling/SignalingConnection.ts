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
import type { Audit } from './audit.js';
import type { Tokens } from './auth/types.js';
import { AppError, BadRequestError, ForbiddenError, NotFoundError, toAppError } from './errors.js';
import type { Metrics } from './metrics.js';
import {
	describeZodError,
	INPUT_ROLES,
	type NotificationType,
	type Notifications,
	type ParsedRequestData,
	type Replies,
	RequestEnvelope,
	Requests,
	type RequestType,
	type Role,
} from './protocol.js';
import { renditionFor, type Session } from './Session.js';
import type { PinService } from './pins/PinService.js';
import type { PinWatchers } from './pins/PinWatchers.js';
import type { Store } from './store/Store.js';
import { validateNavigationUrl } from './urls.js';

export interface ConnectionContext {
	tokens: Tokens;
	store: Store;
	pins: PinService;
	watchers: PinWatchers;
	audit: Audit;
	/** A live session bound to a company; warm, unbound sessions are never found. */
	findSession(id: string): Session | undefined;
	metrics: Metrics;
	logger: Logger;
}

interface Joined {
	session: Session;
	participantId: string;
	role: Role;
	/** The user id, or the customer token's participant key: who the audit log names. */
	actorId: string;
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

	constructor(socket: WebSocket, localAddress: string, context: ConnectionContext) {
		this.#socket = socket;
		this.#context = context;
		this.#localAddress = announceable(localAddress);
		this.#logger = context.logger;
		socket.on('message', (data, isBinary) => {
			if (isBinary) return this.#replyError(null, new BadRequestError('frames must be JSON text'));
			void this.#onFrame(data.toString());
		});
		socket.on('close', () => this.close());
		socket.on('error', (error) => this.#logger.debug({ err: error.message }, 'socket error'));
	}

	/** Leaves the session and closes the socket. Safe to call twice. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#unwatch?.();
		this.#leave();
		this.#socket.close();
	}

	/** Leaves the joined session, staying connected (e.g. a supervisor back to the list). */
	leave(): void {
		this.#leave();
	}

	/** Leaves the joined session (if any) and writes it to the audit log. */
	#leave(): void {
		const joined = this.#joined;
		if (!joined) return;
		this.#joined = undefined;
		if (joined.session.ended) return;
		joined.session.leave(joined.participantId);
		this.#audit(joined, 'session.left');
	}

	#audit(joined: Joined, action: string): void {
		this.#context.audit({
			companyId: joined.session.binding!.companyId,
			actorType: joined.role === 'customer' ? 'customer' : 'user',
			actorId: joined.actorId,
			action,
			sessionId: joined.session.id,
			detail: { role: joined.role, participantId: joined.participantId },
		});
	}

	notify<T extends NotificationType>(type: T, data: Notifications[T]): void {
		this.#send({ type, data });
		// NOTE: the socket stays open: an agent may start the next session on it.
		if (type === 'session/ended') this.#joined = undefined;
	}

	async #onFrame(text: string): Promise<void> {
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			return this.#replyError(null, new BadRequestError('frame is not valid JSON'));
		}
		const envelope = RequestEnvelope.safeParse(json);
		if (!envelope.success) {
			const id = typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: number }).id : null;
			return this.#replyError(id, new BadRequestError(describeZodError(envelope.error)));
		}
		const { id, type } = envelope.data;
		if (!(type in Requests)) {
			return this.#replyError(id, new AppError('unknown_type', `unknown message type "${type}"`, 400));
		}
		const requestType = type as RequestType;
		this.#context.metrics.signalingRequests.inc({ type: requestType });
		const parsed = Requests[requestType].safeParse(envelope.data.data ?? {});
		if (!parsed.success) return this.#replyError(id, new BadRequestError(describeZodError(parsed.error)));
		try {
			const data = await this.#dispatch(requestType, parsed.data);
			this.#send({ id, ok: true, data });
		} catch (error) {
			const appError = toAppError(error);
			if (appError.code === 'internal') {
				this.#logger.error({ err: error, type: requestType }, 'request failed');
			}
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
			const user = await this.#context.store.getUser(claims.sub);
			if (!user || user.disabled) throw new AppError('unauthorized', 'account disabled', 401);
			session = this.#context.findSession(data.sessionId);
			if (!session || session.binding?.companyId !== user.companyId) throw new NotFoundError('session');
			const isAgent = session.binding.agentUserId === user.id;
			role = data.as ?? (isAgent ? 'agent' : 'supervisor');
			if (role === 'agent' && !(isAgent && user.permissions.cobrowse)) throw new ForbiddenError('only the agent who started this session can join it as the agent');
			if (role === 'supervisor' && !user.permissions.supervise) throw new ForbiddenError('your account cannot supervise sessions');
			name = user.name;
			canControl = role === 'agent' && user.permissions.control;
			actorId = user.id;
		}
		const participantId = randomUUID();
		const self = { id: participantId, name, role };
		const { participants, inputChannels } = session.join(self, (type, payload) => this.notify(type, payload), { canControl });
		this.#joined = { session, participantId, role, actorId };
		this.#logger = this.#context.logger.child({ sessionId: session.id, participantId });
		this.#audit(this.#joined, 'session.joined');
		return {
			sessionId: session.id,
			self,
			participants,
			routerRtpCapabilities: session.room.rtpCapabilities as unknown as Record<string, unknown>,
			browser: session.browserState,
			inputChannels,
			supervisionAnnounced: role === 'customer' && session.binding!.announceSupervision,
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
			const token = this.#context.tokens.issueSessionToken({ sub: randomUUID(), cid: pin.companyId, sid: sessionId, role: 'customer', name: 'Customer' });
			this.notify('pin/redeemed', { sessionId, token });
		};
		if (pin.sessionId) {
			// NOTE: the page reconnected after redemption: hand it a token again while the session lives.
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
		this.#send({ id, ok: false, error: { code: error.code, message: error.message } });
	}

	/** The local address the socket arrived on, for ICE candidates. */
	get localAddress(): string {
		return this.#localAddress;
	}
}

function requireControl(joined: Joined): void {
	if (!INPUT_ROLES.includes(joined.role) || !joined.session.canControl(joined.participantId)) {
		throw new ForbiddenError('you cannot control the browser in this session');
	}
}

/** Requests of a joined participant, each checking the role before touching the session. */
const HANDLERS: { [T in Exclude<RequestType, 'session/join' | 'pin/watch'>]: Handler<T> } = {
	async 'session/leave'(this: SignalingConnection) {
		this.leave();
		return {};
	},
	async 'session/end'(joined) {
		if (joined.role === 'supervisor') throw new ForbiddenError('supervisors cannot end sessions');
		await joined.session.end(joined.role === 'customer' ? 'customer_ended' : 'agent_ended');
		return {};
	},
	async 'transport/create'(this: SignalingConnection, joined, data) {
		// NOTE: supervisors have no input channel at all, so no send transport either.
		if (data.direction === 'send') requireControl(joined);
		return joined.session.room.createTransport(joined.participantId, data.direction, { localAddress: this.localAddress });
	},
	async 'transport/connect'(joined, data) {
		await joined.session.room.connectTransport(joined.participantId, data.transportId, data.dtlsParameters);
		return {};
	},
	async 'media/consume'(joined, data) {
		return joined.session.room.consume(joined.participantId, data.transportId, renditionFor(joined.role), data.rtpCapabilities);
	},
	async 'media/resume'(joined, data) {
		await joined.session.room.resumeConsumer(joined.participantId, data.consumerId);
		joined.session.refreshVideo();
		return {};
	},
	async 'media/keyframe'(joined, data) {
		await joined.session.room.requestKeyFrame(joined.participantId, data.consumerId);
		joined.session.refreshVideo();
		return {};
	},
	async 'input/open'(joined, data) {
		requireControl(joined);
		const dataProducerId = await joined.session.room.openInput(joined.participantId, data.transportId, data.label, data.sctpStreamParameters);
		return { dataProducerId };
	},
	async 'cursors/consume'(joined, data) {
		return joined.session.room.consumeCursors(joined.participantId, data.transportId);
	},
	async 'browser/navigate'(joined, data) {
		requireControl(joined);
		const url = validateNavigationUrl(data.url);
		await joined.session.ready;
		await joined.session.browser.navigate(url).catch((error: Error) => {
			throw new AppError('bad_request', `could not open ${url}: ${error.message.split('\n')[0]}`, 400);
		});
		return { url };
	},
	async 'browser/history'(joined, data) {
		requireControl(joined);
		await joined.session.ready;
		await joined.session.browser.history(data.action).catch(() => {
			throw new NotFoundError(`history entry (${data.action})`);
		});
		return {};
	},
};
