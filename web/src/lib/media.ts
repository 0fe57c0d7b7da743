/**
 * The mediasoup-client side of a viewer: one recv transport carrying the cloud browser's
 * video and the server's cursor channel, and (for roles that may act) one send transport
 * carrying the two input data channels.
 *
 * Created with {@link MediaLink.create} after `session/join`; closed with `close()` (safe
 * to call twice) when the session ends or the connection is rebuilt.
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { CHANNELS, CursorMessage, type InputChannel, type InputMessage, type Rendition, type Replies, type TransportInfo } from '../../../protocol/wire';
import { ANNOTATE_CHANNEL_LABEL, type AnnotateMessage, type AnnotationMessage } from '../../../protocol/annotations';
import { channelFor } from './input';
import type { SignalingClient } from './signaling';

export interface MediaLinkOptions {
	signaling: SignalingClient;
	join: Replies['session/join'];
	/** A new video track to show (first consume and after every `media/changed`). */
	onStream: (stream: MediaStream) => void;
	/** A valid message from the cursor channel. */
	onCursor: (msg: CursorMessage) => void;
	/** A message from the annotation channel (the server checked it). */
	onAnnotation: (msg: AnnotationMessage) => void;
	/** A transport failed for good: the caller should rebuild the connection. */
	onFailed: (reason: string) => void;
}

/** What the test hook reports about the media path (no getStats: cheap and synchronous). */
/** What the viewer's decoder reports about the video it receives. */
export interface VideoStats {
	codec: string | null;
	decoder: string | null;
	framesDecoded: number;
	frameWidth: number;
	frameHeight: number;
}

export interface MediaInfo {
	handler: string;
	consumerId: string | null;
	producerId: string | null;
	rendition: Rendition | null;
	recvState: string | null;
	/** readyState of the cursor channel. */
	cursors: string | null;
	/** readyState of the server's annotation channel, and of this viewer's own (if it may draw). */
	annotations: string | null;
	annotate: string | null;
	sendState: string | null;
	channels: Partial<Record<InputChannel, string>>;
}

export class MediaLink {
	readonly #signaling: SignalingClient;
	readonly #device: Device;
	readonly #options: MediaLinkOptions;
	#recv: types.Transport | null = null;
	#send: types.Transport | null = null;
	#consumer: types.Consumer | null = null;
	#rendition: Rendition | null = null;
	#cursors: types.DataConsumer | null = null;
	#annotations: types.DataConsumer | null = null;
	#annotate: types.DataProducer | null = null;
	readonly #channels = new Map<InputChannel, types.DataProducer>();
	#closed = false;
	#consuming: Promise<void> | null = null;
	/** Renditions consumed besides the role's own (an admin's rules preview: the clear one too). */
	readonly #extra = new Map<Rendition, types.Consumer>();

	private constructor(options: MediaLinkOptions, device: Device) {
		this.#options = options;
		this.#signaling = options.signaling;
		this.#device = device;
	}

	/** Loads the device, receives video and cursors, and opens the input channels the role allows. */
	static async create(options: MediaLinkOptions): Promise<MediaLink> {
		const device = new Device();
		await device.load({ routerRtpCapabilities: options.join.routerRtpCapabilities as unknown as types.RtpCapabilities });
		const link = new MediaLink(options, device);
		try {
			await link.#start();
		} catch (error) {
			link.close();
			throw error;
		}
		return link;
	}

	async #start(): Promise<void> {
		this.#recv = this.#device.createRecvTransport(toTransportOptions(await this.#signaling.request('transport/create', { direction: 'recv' })));
		this.#wire(this.#recv);
		// NOTE: both at once. While the cloud browser of a new session is still starting, the
		// server holds media/consume until it publishes; the cursor channel meanwhile connects
		// the transport (ICE, DTLS), so the first frame does not wait for that as well.
		await Promise.all([this.consumeVideo(), this.#consumeCursors(), this.#consumeAnnotations()]);
		const channels = this.#options.join.inputChannels;
		const draws = this.#options.join.mayAnnotate === true;
		if (channels.length > 0 || draws) {
			this.#send = this.#device.createSendTransport(toTransportOptions(await this.#signaling.request('transport/create', { direction: 'send' })));
			this.#wire(this.#send);
			const send = this.#send;
			send.on('producedata', ({ sctpStreamParameters, label }, callback, errback) => {
				const params = sctpStreamParameters as unknown as Record<string, unknown>;
				const opened =
					label === ANNOTATE_CHANNEL_LABEL
						? this.#signaling.request('annotations/open', { transportId: send.id, sctpStreamParameters: params })
						: this.#signaling.request('input/open', { transportId: send.id, label: label as InputChannel, sctpStreamParameters: params });
				opened.then(({ dataProducerId }) => callback({ id: dataProducerId }), errback);
			});
			for (const label of channels) {
				this.#channels.set(label, await send.produceData({ label, ...CHANNELS[label] }));
			}
			if (draws) this.#annotate = await send.produceData({ label: ANNOTATE_CHANNEL_LABEL, ordered: true });
		}
	}

	/** Sends a stroke, a pulse, an undo or a clear; false when this viewer cannot draw (or the channel is not open yet). */
	annotate(msg: AnnotateMessage): boolean {
		return sendOn(this.#annotate, JSON.stringify(msg), 'annotation');
	}

	async #consumeAnnotations(): Promise<void> {
		this.#annotations = await this.#consumeServerChannel('annotations/consume', (parsed) => {
			// NOTE: the server built these from messages it validated; a viewer still never
			// renders them as markup (they are drawn on a canvas).
			this.#options.onAnnotation(parsed as AnnotationMessage);
		});
	}

	/** (Re)consumes the video: closes the old consumer first. Used again on `media/changed`. */
	consumeVideo(): Promise<void> {
		// NOTE: media/changed can arrive while a consume is in flight; chain rather than overlap.
		const next = (this.#consuming ?? Promise.resolve()).catch(() => undefined).then(() => this.#consumeVideo());
		this.#consuming = next;
		return next;
	}

	async #consumeVideo(): Promise<void> {
		const recv = this.#recv;
		if (!recv || this.#closed) return;
		this.#consumer?.close();
		this.#consumer = null;
		const consumed = await this.#consume(recv);
		if (!consumed) return;
		this.#consumer = consumed.consumer;
		this.#rendition = consumed.rendition;
		this.#options.onStream(new MediaStream([consumed.consumer.track]));
		await this.#signaling.request('media/resume', { consumerId: consumed.consumer.id });
	}

	/**
	 * Consumes another rendition than the role's own, if the server allows it (an admin's
	 * rules preview watches the clear video beside the masked one); consumed again on each
	 * call (after `media/changed`). Resolves with its stream.
	 */
	async consumeExtra(rendition: Rendition): Promise<MediaStream> {
		const recv = this.#recv;
		if (!recv || this.#closed) throw new Error('the media link is closed');
		this.#extra.get(rendition)?.close();
		this.#extra.delete(rendition);
		const consumed = await this.#consume(recv, rendition);
		if (!consumed) throw new Error('the media link is closed');
		this.#extra.set(rendition, consumed.consumer);
		await this.#signaling.request('media/resume', { consumerId: consumed.consumer.id });
		return new MediaStream([consumed.consumer.track]);
	}

	/** A paused video consumer of `rendition` (default: the role's own) at the lowest latency; null if the link closed meanwhile. */
	async #consume(recv: types.Transport, rendition?: Rendition): Promise<{ consumer: types.Consumer; rendition: Rendition } | null> {
		const reply = await this.#signaling.request('media/consume', {
			transportId: recv.id,
			rtpCapabilities: (this.#device.recvRtpCapabilities ?? this.#device.rtpCapabilities) as unknown as Record<string, unknown>,
			...(rendition ? { rendition } : {}),
		});
		const consumer = await recv.consume({
			id: reply.consumerId,
			producerId: reply.producerId,
			kind: reply.kind,
			rtpParameters: reply.rtpParameters as unknown as types.RtpParameters,
		});
		if (this.#closed) {
			consumer.close();
			return null;
		}
		lowerLatency(consumer.rtpReceiver);
		return { consumer, rendition: reply.rendition };
	}

	async #consumeCursors(): Promise<void> {
		this.#cursors = await this.#consumeServerChannel('cursors/consume', (parsed) => {
			const msg = CursorMessage.safeParse(parsed);
			if (msg.success) this.#options.onCursor(msg.data);
		});
	}

	/**
	 * Subscribes to one of the server's channels (cursors, annotations) on the recv transport;
	 * `onMessage` gets each message parsed as JSON (an unreadable one is dropped: the next will do).
	 */
	async #consumeServerChannel(request: 'cursors/consume' | 'annotations/consume', onMessage: (parsed: unknown) => void): Promise<types.DataConsumer | null> {
		const recv = this.#recv;
		if (!recv) return null;
		const reply = await this.#signaling.request(request, { transportId: recv.id });
		const consumer = await recv.consumeData({
			id: reply.dataConsumerId,
			dataProducerId: reply.dataProducerId,
			sctpStreamParameters: reply.sctpStreamParameters as unknown as types.SctpStreamParameters,
			label: reply.label,
			protocol: reply.protocol,
		});
		consumer.on('message', (data: unknown) => {
			let parsed: unknown;
			try {
				parsed = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
			} catch {
				return;
			}
			onMessage(parsed);
		});
		return consumer;
	}

	/** Asks the SFU for a key frame (e.g. after the video stalled). */
	async requestKeyframe(): Promise<void> {
		if (this.#consumer) await this.#signaling.request('media/keyframe', { consumerId: this.#consumer.id });
	}

	/** Sends one input message on its channel; false when that channel is not open. */
	send(msg: InputMessage): boolean {
		return sendOn(this.#channels.get(channelFor(msg.type)), JSON.stringify(msg), 'input');
	}

	/**
	 * Sends text as is on an input channel, bypassing validation. Only for tests that check
	 * the server drops malformed messages; false when the channel is not open.
	 */
	sendRaw(label: string, text: string): boolean {
		const channel = this.#channels.get(label as InputChannel);
		if (!channel || channel.readyState !== 'open') return false;
		channel.send(text);
		return true;
	}

	/** Receive-side video statistics (inbound-rtp and its codec), from WebRTC stats. */
	async videoStats(): Promise<VideoStats | null> {
		if (!this.#consumer) return null;
		const report = await this.#consumer.getStats();
		const entries = new Map<string, Record<string, unknown>>();
		report.forEach((value: Record<string, unknown>) => entries.set(value.id as string, value));
		const inbound = [...entries.values()].find((v) => v.type === 'inbound-rtp' && v.kind === 'video');
		if (!inbound) return null;
		const codec = inbound.codecId ? entries.get(inbound.codecId as string) : undefined;
		return {
			codec: (codec?.mimeType as string | undefined) ?? null,
			decoder: (inbound.decoderImplementation as string | undefined) ?? null,
			framesDecoded: (inbound.framesDecoded as number | undefined) ?? 0,
			frameWidth: (inbound.frameWidth as number | undefined) ?? 0,
			frameHeight: (inbound.frameHeight as number | undefined) ?? 0,
		};
	}

	/** Whether the role may send input at all (it was given input channels). */
	get interactive(): boolean {
		return this.#options.join.inputChannels.length > 0;
	}

	info(): MediaInfo {
		const channels: MediaInfo['channels'] = {};
		for (const [label, producer] of this.#channels) channels[label] = producer.readyState;
		return {
			handler: this.#device.handlerName,
			consumerId: this.#consumer?.id ?? null,
			producerId: this.#consumer?.producerId ?? null,
			rendition: this.#rendition,
			recvState: this.#recv?.connectionState ?? null,
			cursors: this.#cursors?.readyState ?? null,
			annotations: this.#annotations?.readyState ?? null,
			annotate: this.#annotate?.readyState ?? null,
			sendState: this.#send?.connectionState ?? null,
			channels,
		};
	}

	/** Closes everything. Safe to call twice. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#cursors?.close();
		this.#annotations?.close();
		this.#annotations = null;
		this.#annotate = null;
		this.#recv?.close();
		this.#send?.close();
		this.#channels.clear();
		this.#extra.clear();
		this.#consumer = null;
		this.#cursors = null;
	}

	#wire(transport: types.Transport): void {
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			this.#signaling
				.request('transport/connect', { transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
				.then(() => callback(), errback);
		});
		transport.on('connectionstatechange', (state) => {
			// NOTE: 'disconnected' often recovers by itself (ICE consent); only 'failed' is final.
			if (state === 'failed' && !this.#closed) this.#options.onFailed(`${transport.direction} transport failed`);
		});
	}
}

/** Sends `text` on a data channel if it is open; false when it is not (or the send failed). */
function sendOn(channel: types.DataProducer | null | undefined, text: string, what: string): boolean {
	if (!channel || channel.closed || channel.readyState !== 'open') return false;
	try {
		channel.send(text);
		return true;
	} catch (error) {
		console.warn(`[media] ${what} send failed`, error);
		return false;
	}
}

function toTransportOptions(info: TransportInfo): types.TransportOptions {
	return info as unknown as types.TransportOptions;
}

/** Asks the receiver to play frames as soon as they are decodable (minimal latency). */
function lowerLatency(receiver: RTCRtpReceiver | undefined): void {
	if (!receiver) return;
	try {
		if ('jitterBufferTarget' in receiver) (receiver as { jitterBufferTarget: number | null }).jitterBufferTarget = 0;
		if ('playoutDelayHint' in receiver) (receiver as unknown as { playoutDelayHint: number }).playoutDelayHint = 0;
	} catch (error) {
		console.warn('[media] could not lower the playout delay', error);
	}
}
