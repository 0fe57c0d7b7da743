/**
 * A session's room: one mediasoup router with everything that hangs off it.
 *
 * - Participants (viewers and the publisher) own WebRTC transports on the worker's
 *   WebRtcServer; every operation names the participant and is refused for resources
 *   the participant does not own.
 * - The publisher produces the video renditions; viewers consume the one their role gets.
 * - Viewers' input DataProducers are consumed on a DirectTransport, so each input message
 *   surfaces here as an `input` event tagged with the participant whose channel carried it.
 * - DataProducers on the same DirectTransport fan the server's cursor and annotation
 *   messages out to every viewer. Viewers' annotation channels end on it too (`annotate`
 *   events): drawing is never input to the page.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { BadRequestError, LimitReachedError, NotFoundError, NotReadyError } from '../protocol/errors.js';
import { ANNOTATE_CHANNEL_LABEL, ANNOTATIONS_CHANNEL_LABEL } from '../protocol/annotations.js';
import { CHANNELS, CURSOR_CHANNEL_LABEL, type InputChannel, type Rendition, type TransportInfo } from '../protocol/wire.js';
import type { SfuConfig } from './config.js';
import type { ConsumeInfo, DataConsumerInfo, RecordingTap, RoomEvents, TransportDirection } from './RoomTypes.js';

interface OwnedTransport {
	transport: ms.WebRtcTransport;
	participantId: string;
	direction: TransportDirection;
}

interface RoomOptions {
	sessionId: string;
	router: ms.Router;
	webRtcServer: ms.WebRtcServer;
	config: SfuConfig;
	logger: Logger;
}

/** SCTP streams per transport: one per data channel; a viewer opens up to five. */
const NUM_SCTP_STREAMS = { OS: 64, MIS: 64 };
/** How long a consumer waits for the cloud browser to start publishing. */
const PRODUCER_WAIT_MS = 15_000;
/** Largest input or cursor message accepted, in bytes. */
export const MAX_DATA_MESSAGE_SIZE = 16 * 1024;

/** What one participant holds, counted against `SfuConfig.perParticipant`. */
type Resource = keyof SfuConfig['perParticipant'];
const RESOURCE_NAMES: Record<Resource, string> = { transports: 'transports', consumers: 'video consumers', dataChannels: 'data channels' };

export class Room extends EventEmitter<RoomEvents> {
	readonly sessionId: string;
	readonly #router: ms.Router;
	readonly #webRtcServer: ms.WebRtcServer;
	readonly #config: SfuConfig;
	readonly #logger: Logger;
	readonly #direct: ms.DirectTransport;
	readonly #cursorProducer: ms.DataProducer;
	readonly #annotationProducer: ms.DataProducer;
	readonly #transports = new Map<string, OwnedTransport>();
	readonly #producers = new Map<Rendition, ms.Producer>();
	readonly #consumers = new Map<string, { consumer: ms.Consumer; participantId: string }>();
	/** participantId → input (or annotate) channel label → DataProducer, or 'opening' while it is created. */
	readonly #inputs = new Map<string, Map<InputChannel | typeof ANNOTATE_CHANNEL_LABEL, ms.DataProducer | 'opening'>>();
	/** participantId → what it holds now (and is creating), against the per-participant caps. */
	readonly #usage = new Map<string, Record<Resource, number>>();
	#closed = false;

	static async create(options: RoomOptions): Promise<Room> {
		const direct = await options.router.createDirectTransport({ maxMessageSize: MAX_DATA_MESSAGE_SIZE });
		const cursorProducer = await direct.produceData({ label: CURSOR_CHANNEL_LABEL });
		const annotationProducer = await direct.produceData({ label: ANNOTATIONS_CHANNEL_LABEL });
		return new Room(options, direct, cursorProducer, annotationProducer);
	}

	private constructor(options: RoomOptions, direct: ms.DirectTransport, cursorProducer: ms.DataProducer, annotationProducer: ms.DataProducer) {
		super();
		this.sessionId = options.sessionId;
		this.#router = options.router;
		this.#webRtcServer = options.webRtcServer;
		this.#config = options.config;
		this.#logger = options.logger;
		this.#direct = direct;
		this.#cursorProducer = cursorProducer;
		this.#annotationProducer = annotationProducer;
		this.#router.observer.once('close', () => this.close());
	}

	get closed(): boolean {
		return this.#closed;
	}

	get rtpCapabilities(): ms.RtpCapabilities {
		return this.#router.rtpCapabilities;
	}

	/** Open WebRTC transports (viewers' and the publisher's). */
	get transportCount(): number {
		return this.#transports.size;
	}

	/** Whether the given rendition is being produced right now. */
	hasProducer(rendition: Rendition): boolean {
		return this.#producers.has(rendition);
	}

	/**
	 * Creates a WebRTC transport for a participant. `reach` says how the peer reaches this
	 * machine:
	 * - `{ localAddress }` for a client: the address its signaling connection arrived on.
	 * - `'internal'` for the cloud browser, which runs beside the SFU.
	 *
	 * See {@link candidateAddress} for the address its ICE candidates carry.
	 */
	async createTransport(participantId: string, direction: TransportDirection, reach: { localAddress: string } | 'internal', options: { ownPort?: boolean } = {}): Promise<TransportInfo> {
		this.#assertOpen();
		const release = this.#take(participantId, 'transports');
		let transport: ms.WebRtcTransport;
		try {
			transport = await this.#router.createWebRtcTransport({
				// NOTE: `ownPort`: a UDP port of its own instead of the worker's shared one (the
				// cloud browser's last tries, when its checks to the shared port went unanswered).
				...(options.ownPort ? { listenInfos: [{ protocol: 'udp' as const, ip: this.#config.listenIp }] } : { webRtcServer: this.#webRtcServer }),
				enableUdp: true,
				enableTcp: true,
				preferUdp: true,
				enableSctp: true,
				numSctpStreams: NUM_SCTP_STREAMS,
				maxSctpMessageSize: MAX_DATA_MESSAGE_SIZE,
				initialAvailableOutgoingBitrate: this.#config.initialAvailableOutgoingBitrate,
				appData: { participantId, direction },
			});
		} catch (error) {
			release();
			throw error;
		}
		this.#transports.set(transport.id, { transport, participantId, direction });
		transport.observer.once('close', () => {
			this.#transports.delete(transport.id);
			release();
		});
		transport.on('dtlsstatechange', (state) => {
			if (state === 'failed' || state === 'closed') {
				this.#logger.warn({ participantId, transportId: transport.id, state }, 'transport DTLS ended');
				transport.close();
			}
		});
		const address = candidateAddress(this.#config, reach);
		return {
			id: transport.id,
			iceParameters: { ...transport.iceParameters },
			iceCandidates: transport.iceCandidates.map((candidate) => ({ ...candidate, address })),
			dtlsParameters: { ...transport.dtlsParameters },
			sctpParameters: transport.sctpParameters ? { ...transport.sctpParameters } : undefined,
		};
	}

	async connectTransport(participantId: string, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
		const { transport } = this.#ownTransport(participantId, transportId);
		await transport.connect({ dtlsParameters: dtlsParameters as unknown as ms.DtlsParameters }).catch((error: Error) => {
			throw new BadRequestError(`dtlsParameters: ${error.message}`);
		});
	}

	/**
	 * Produces a video rendition on the publisher's send transport. A new producer for the
	 * same rendition replaces the old one, and `producerchange` tells viewers to re-consume.
	 */
	async produce(participantId: string, transportId: string, rendition: Rendition, rtpParameters: ms.RtpParameters): Promise<string> {
		const { transport } = this.#ownTransport(participantId, transportId, 'send');
		const producer = await transport.produce({ kind: 'video', rtpParameters, appData: { rendition } });
		const previous = this.#producers.get(rendition);
		this.#producers.set(rendition, producer);
		producer.observer.once('close', () => {
			if (this.#producers.get(rendition) === producer) this.#producers.delete(rendition);
		});
		previous?.close();
		this.emit('producerchange', rendition);
		return producer.id;
	}

	/** Consumes a rendition for a viewer, paused until {@link resumeConsumer}. */
	async consume(participantId: string, transportId: string, rendition: Rendition, rtpCapabilities: Record<string, unknown>): Promise<ConsumeInfo> {
		const { transport } = this.#ownTransport(participantId, transportId, 'recv');
		// NOTE: taken before waiting for the producer, so that waiting requests count too.
		const release = this.#take(participantId, 'consumers');
		let consumer: ms.Consumer;
		try {
			const producer = this.#producers.get(rendition) ?? (await this.#producerOf(rendition, PRODUCER_WAIT_MS));
			const caps = rtpCapabilities as unknown as ms.RtpCapabilities;
			let canConsume: boolean;
			try {
				canConsume = this.#router.canConsume({ producerId: producer.id, rtpCapabilities: caps });
			} catch (error) {
				throw new BadRequestError(`rtpCapabilities: ${(error as Error).message}`);
			}
			if (!canConsume) throw new BadRequestError('rtpCapabilities: this browser cannot decode H.264 or VP8');
			consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true });
		} catch (error) {
			release();
			throw error;
		}
		this.#consumers.set(consumer.id, { consumer, participantId });
		consumer.observer.once('close', () => {
			this.#consumers.delete(consumer.id);
			release();
		});
		return {
			consumerId: consumer.id,
			producerId: consumer.producerId,
			kind: 'video',
			rtpParameters: { ...consumer.rtpParameters } as Record<string, unknown>,
			rendition,
		};
	}

	async resumeConsumer(participantId: string, consumerId: string): Promise<void> {
		await this.#ownConsumer(participantId, consumerId).resume();
	}

	async requestKeyFrame(participantId: string, consumerId: string): Promise<void> {
		await this.#ownConsumer(participantId, consumerId).requestKeyFrame();
	}

	/**
	 * Opens one of a viewer's input channels: its DataProducer on the viewer's send
	 * transport, consumed on the room's DirectTransport. Messages surface as `input` events.
	 */
	openInput(participantId: string, transportId: string, label: InputChannel, sctpStreamParameters: Record<string, unknown>): Promise<string> {
		return this.#openChannel(participantId, transportId, label, CHANNELS[label], sctpStreamParameters, (message) => this.emit('input', participantId, label, message));
	}

	/**
	 * Opens a viewer's annotation channel (reliable, ordered), ending on the room's
	 * DirectTransport like input does. Messages surface as `annotate` events.
	 */
	openAnnotate(participantId: string, transportId: string, sctpStreamParameters: Record<string, unknown>): Promise<string> {
		return this.#openChannel(participantId, transportId, ANNOTATE_CHANNEL_LABEL, { ordered: true }, sctpStreamParameters, (message) => this.emit('annotate', participantId, message));
	}

	async #openChannel(
		participantId: string,
		transportId: string,
		label: InputChannel | typeof ANNOTATE_CHANNEL_LABEL,
		wanted: { ordered: boolean; maxRetransmits?: number },
		sctpStreamParameters: Record<string, unknown>,
		onMessage: (message: Buffer) => void,
	): Promise<string> {
		const { transport } = this.#ownTransport(participantId, transportId, 'send');
		const channels = this.#inputs.get(participantId) ?? new Map<InputChannel | typeof ANNOTATE_CHANNEL_LABEL, ms.DataProducer | 'opening'>();
		if (channels.has(label)) throw new BadRequestError(`label: ${label === ANNOTATE_CHANNEL_LABEL ? 'the annotation channel' : `input channel "${label}"`} is already open`);
		const ordered = sctpStreamParameters.ordered !== false;
		const retransmits = sctpStreamParameters.maxRetransmits;
		const reliable = retransmits === undefined && sctpStreamParameters.maxPacketLifeTime === undefined;
		if (wanted.ordered !== ordered || (wanted.maxRetransmits === undefined && !reliable)) {
			throw new BadRequestError(`sctpStreamParameters: the ${label} channel must be ${wanted.ordered ? 'ordered and reliable' : 'unordered'}`);
		}
		const release = this.#take(participantId, 'dataChannels');
		// NOTE: claimed before the first await, so that concurrent requests for the same label
		// cannot all pass the check above.
		channels.set(label, 'opening');
		this.#inputs.set(participantId, channels);
		let dataProducer: ms.DataProducer;
		try {
			dataProducer = await transport.produceData({
				sctpStreamParameters: sctpStreamParameters as unknown as ms.SctpStreamParameters,
				label,
				appData: { participantId },
			});
		} catch (error) {
			channels.delete(label);
			release();
			throw new BadRequestError(`sctpStreamParameters: ${(error as Error).message}`);
		}
		channels.set(label, dataProducer);
		dataProducer.observer.once('close', () => {
			if (channels.get(label) === dataProducer) channels.delete(label);
			release();
		});
		const dataConsumer = await this.#direct.consumeData({ dataProducerId: dataProducer.id });
		dataConsumer.on('message', onMessage);
		return dataProducer.id;
	}

	/** Subscribes a viewer to the cursor channel: unordered, no retransmissions (a late position is useless). */
	consumeCursors(participantId: string, transportId: string): Promise<DataConsumerInfo> {
		return this.#consumeBroadcast(participantId, transportId, this.#cursorProducer, { ordered: false, maxRetransmits: 0 });
	}

	/** Subscribes a viewer to the annotation channel: reliable and ordered (a lost point breaks a stroke). */
	consumeAnnotations(participantId: string, transportId: string): Promise<DataConsumerInfo> {
		return this.#consumeBroadcast(participantId, transportId, this.#annotationProducer, { ordered: true });
	}

	async #consumeBroadcast(participantId: string, transportId: string, producer: ms.DataProducer, delivery: { ordered: boolean; maxRetransmits?: number }): Promise<DataConsumerInfo> {
		const { transport } = this.#ownTransport(participantId, transportId, 'recv');
		const release = this.#take(participantId, 'dataChannels');
		let dataConsumer: ms.DataConsumer;
		try {
			dataConsumer = await transport.consumeData({ dataProducerId: producer.id, ...delivery });
		} catch (error) {
			release();
			throw error;
		}
		dataConsumer.observer.once('close', release);
		return {
			dataConsumerId: dataConsumer.id,
			dataProducerId: producer.id,
			sctpStreamParameters: { ...dataConsumer.sctpStreamParameters } as Record<string, unknown>,
			label: dataConsumer.label,
			protocol: dataConsumer.protocol,
		};
	}

	/**
	 * A tap of a rendition for a recorder listening on 127.0.0.1:`port` (plain RTP over UDP,
	 * RTCP multiplexed): a PlainTransport and a paused consumer of the rendition's producer,
	 * without retransmission (a recorder does not ask for it). Waits for the producer like a
	 * viewer's consumer does. Closing the tap closes both.
	 */
	async recordingTap(rendition: Rendition, port: number): Promise<RecordingTap> {
		this.#assertOpen();
		const producer = this.#producers.get(rendition) ?? (await this.#producerOf(rendition, PRODUCER_WAIT_MS));
		const transport = await this.#router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: true,
			comedia: false,
			appData: { recorder: true },
		});
		try {
			await transport.connect({ ip: '127.0.0.1', port });
			const codecs = this.#router.rtpCapabilities.codecs?.filter((c) => c.kind === 'video' && !/\/rtx$/i.test(c.mimeType)) ?? [];
			const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: { codecs, headerExtensions: [] }, paused: true });
			const codec = consumer.rtpParameters.codecs[0]!;
			return {
				producerId: producer.id,
				codec: { mimeType: codec.mimeType, payloadType: codec.payloadType, clockRate: codec.clockRate, parameters: { ...codec.parameters } },
				resume: () => consumer.resume(),
				requestKeyFrame: () => consumer.requestKeyFrame(),
				stats: async () => {
					const [stat] = await consumer.getStats();
					return { packets: stat?.packetCount ?? 0, bytes: stat?.byteCount ?? 0 };
				},
				close: () => transport.close(),
				closed: () => consumer.closed || transport.closed,
			};
		} catch (error) {
			transport.close();
			throw error;
		}
	}

	/** Sends a message to every viewer subscribed to the cursor channel. */
	broadcastCursor(message: string): void {
		if (this.#closed) return;
		this.#cursorProducer.send(message);
	}

	/** Sends a message to every viewer subscribed to the annotation channel. */
	broadcastAnnotation(message: string): void {
		if (this.#closed) return;
		this.#annotationProducer.send(message);
	}

	/** Stats of a rendition's producer: codec, bitrate, frames. */
	async producerStats(rendition: Rendition): Promise<ms.ProducerStat[]> {
		const producer = this.#producers.get(rendition);
		if (!producer) throw new NotReadyError(`no ${rendition} producer`);
		return producer.getStats();
	}

	/** The negotiated codec of a rendition's producer, e.g. `video/H264`. */
	producerCodec(rendition: Rendition): string | undefined {
		return this.#producers.get(rendition)?.rtpParameters.codecs[0]?.mimeType;
	}

	/**
	 * Closes a participant's input channels (its control was revoked); its video, cursors
	 * and annotation channel go on. Messages already in flight on them are dropped by the session.
	 */
	closeInputs(participantId: string): void {
		for (const [label, producer] of this.#inputs.get(participantId) ?? []) if (label !== ANNOTATE_CHANNEL_LABEL && producer !== 'opening') producer.close();
	}


	/** Closes every transport (and so every producer and consumer) a participant owns. */
	removeParticipant(participantId: string): void {
		for (const owned of [...this.#transports.values()]) {
			if (owned.participantId === participantId) owned.transport.close();
		}
		this.#inputs.delete(participantId);
	}

	/** Closes the router and everything on it. Safe to call twice. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#router.close();
		this.emit('close');
	}

	/** Waits for a rendition's producer (the cloud browser may still be starting). */
	#producerOf(rendition: Rendition, timeoutMs: number): Promise<ms.Producer> {
		return new Promise((resolve, reject) => {
			const done = (error?: Error) => {
				clearTimeout(timer);
				this.off('producerchange', onChange);
				this.off('close', onClose);
				const producer = this.#producers.get(rendition);
				if (producer) resolve(producer);
				else reject(error ?? new NotReadyError('the cloud browser is not streaming yet'));
			};
			const onChange = (changed: Rendition) => {
				if (changed === rendition) done();
			};
			const onClose = () => done(new NotReadyError('the session has ended'));
			const timer = setTimeout(() => done(), timeoutMs);
			this.on('producerchange', onChange);
			this.once('close', onClose);
		});
	}

	/**
	 * Counts one more `resource` for the participant, or refuses (LimitReachedError) when it
	 * already holds its cap. Returns the release function; releasing twice counts once.
	 */
	#take(participantId: string, resource: Resource): () => void {
		const usage = this.#usage.get(participantId) ?? { transports: 0, consumers: 0, dataChannels: 0 };
		const max = this.#config.perParticipant[resource];
		if (usage[resource] >= max) throw new LimitReachedError(resource, `at most ${max} ${RESOURCE_NAMES[resource]} per participant`);
		usage[resource]++;
		this.#usage.set(participantId, usage);
		let released = false;
		return () => {
			if (released) return;
			released = true;
			usage[resource]--;
			if (usage.transports + usage.consumers + usage.dataChannels === 0 && this.#usage.get(participantId) === usage) this.#usage.delete(participantId);
		};
	}

	#assertOpen(): void {
		if (this.#closed) throw new NotReadyError('the session has ended');
	}

	#ownTransport(participantId: string, transportId: string, direction?: TransportDirection): OwnedTransport {
		this.#assertOpen();
		const owned = this.#transports.get(transportId);
		// NOTE: someone else's transport is reported exactly like a missing one.
		if (!owned || owned.participantId !== participantId) throw new NotFoundError('transport');
		if (direction && owned.direction !== direction) throw new BadRequestError(`transportId: not a ${direction} transport`);
		return owned;
	}

	#ownConsumer(participantId: string, consumerId: string): ms.Consumer {
		this.#assertOpen();
		const owned = this.#consumers.get(consumerId);
		if (!owned || owned.participantId !== participantId) throw new NotFoundError('consumer');
		return owned.consumer;
	}
}

/**
 * The address to put in ICE candidates for a client whose signaling connection arrived on
 * `localAddress`: IPv4-mapped IPv6 is unwrapped; IPv6 loopback becomes IPv4 loopback,
 * because the WebRtcServer listens on IPv4.
 */
export function announceable(localAddress: string): string {
	const unmapped = localAddress.startsWith('::ffff:') ? localAddress.slice(7) : localAddress;
	if (unmapped === '::1' || unmapped === '' || unmapped.includes(':')) return '127.0.0.1';
	return unmapped;
}

/**
 * The address a peer's ICE candidates carry:
 * - a client: the announced address when one is configured (NAT, load balancer), else the
 *   address its signaling arrived on, so LAN clients work with no configuration;
 * - the cloud browser: never the announced address, which may not be reachable from
 *   inside a container;
 * - a peer on this machine (the cloud browser, or a client that came in over loopback):
 *   this machine's own address, not 127.0.0.1, when listening on every interface.
 *   NOTE: Chromium never gathers loopback candidates, so it checks from its LAN address;
 *   a socket listening on every interface answers a check sent to 127.0.0.1 from the LAN
 *   address, and Chromium drops that asymmetric answer. UDP then never connects and ICE
 *   falls back to TCP, after about 150 ms more.
 * With a specific listen address, that address, unless one is announced.
 */
export function candidateAddress(
	config: Pick<SfuConfig, 'listenIp' | 'announcedAddress'>,
	reach: { localAddress: string } | 'internal',
	interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): string {
	const { listenIp, announcedAddress } = config;
	if (reach !== 'internal' && announcedAddress) return announcedAddress;
	if (listenIp !== '0.0.0.0' && listenIp !== '::') return listenIp;
	const address = reach === 'internal' ? '127.0.0.1' : announceable(reach.localAddress);
	return address === '127.0.0.1' ? (ownAddress(interfaces) ?? address) : address;
}

/** This machine's first non-loopback IPv4 address, if it has one. */
function ownAddress(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string | undefined {
	for (const infos of Object.values(interfaces)) {
		const found = infos?.find((info) => info.family === 'IPv4' && !info.internal);
		if (found) return found.address;
	}
	return undefined;
}
