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
import type { CredentialVerifier } from './credentials.js';
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
import { validateNavigationUrl } from './urls.js';

export interface ConnectionContext {
	verifier: CredentialVerifier;
	findSession(id: string): Session | undefined;
	metrics: Metrics;
	logger: Logger;
}

interface Joined {
	session: Session;
	participantId: string;
	role: Role;
}

type Handler<T extends RequestType> = (joined: Joined, data: ParsedRequestData<T>) => Promise<Replies[T]>;

export class SignalingConnection {
	readonly #socket: WebSocket;
	readonly #context: ConnectionContext;
	readonly #localAddress: string;
	#logger: Logger;
	#joined: Joined | undefined;
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
		if (this.#joined) this.#joined.session.leave(this.#joined.participantId);
		this.#joined = undefined;
		this.#socket.close();
	}

	notify<T extends NotificationType>(type: T, data: Notifications[T]): void {
		this.#send({ type, data });
		if (type === 'session/ended') {
			this.#joined = undefined;
			setTimeout(() => this.close(), 100).unref();
		}
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
		if (!this.#joined) throw new AppError('not_joined', 'send session/join first', 409);
		const handler = HANDLERS[type] as Handler<RequestType>;
		return handler.call(this, this.#joined, data as never);
	}

	async #join(data: ParsedRequestData<'session/join'>): Promise<Replies['session/join']> {
		if (this.#joined) throw new AppError('already_joined', 'already joined', 409);
		const claims = this.#context.verifier.verify(data.token);
		const session = this.#context.findSession(claims.sessionId);
		if (!session || session.ended) throw new AppError('session_ended', 'this session has ended', 410);
		const participantId = randomUUID();
		const self = { id: participantId, name: data.name ?? claims.name, role: claims.role };
		const { participants, inputChannels } = session.join(self, (type, payload) => this.notify(type, payload));
		this.#joined = { session, participantId, role: claims.role };
		this.#logger = this.#context.logger.child({ sessionId: session.id, participantId });
		return {
			sessionId: session.id,
			self,
			participants,
			routerRtpCapabilities: session.room.rtpCapabilities as unknown as Record<string, unknown>,
			browser: session.browserState,
			inputChannels,
		};
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

function requireInputRole(role: Role): void {
	if (!INPUT_ROLES.includes(role)) throw new ForbiddenError('your role cannot control the browser');
}

/** Requests of a joined participant, each checking the role before touching the session. */
const HANDLERS: { [T in Exclude<RequestType, 'session/join'>]: Handler<T> } = {
	async 'session/leave'(joined) {
		joined.session.leave(joined.participantId);
		return {};
	},
	async 'transport/create'(this: SignalingConnection, joined, data) {
		// NOTE: supervisors have no input channel at all, so no send transport either.
		if (data.direction === 'send') requireInputRole(joined.role);
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
		return {};
	},
	async 'media/keyframe'(joined, data) {
		await joined.session.room.requestKeyFrame(joined.participantId, data.consumerId);
		return {};
	},
	async 'input/open'(joined, data) {
		requireInputRole(joined.role);
		const dataProducerId = await joined.session.room.openInput(joined.participantId, data.transportId, data.label, data.sctpStreamParameters);
		return { dataProducerId };
	},
	async 'cursors/consume'(joined, data) {
		return joined.session.room.consumeCursors(joined.participantId, data.transportId);
	},
	async 'browser/navigate'(joined, data) {
		requireInputRole(joined.role);
		const url = validateNavigationUrl(data.url);
		await joined.session.browser.navigate(url).catch((error: Error) => {
			throw new AppError('bad_request', `could not open ${url}: ${error.message.split('\n')[0]}`, 400);
		});
		return { url };
	},
	async 'browser/history'(joined, data) {
		requireInputRole(joined.role);
		await joined.session.browser.history(data.action).catch(() => {
			throw new NotFoundError(`history entry (${data.action})`);
		});
		return {};
	},
};
