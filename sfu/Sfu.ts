/**
 * The SFU: a pool of mediasoup workers, each with one WebRtcServer so that all WebRTC
 * traffic of a worker uses one UDP port (with a TCP fallback on the same number).
 * Sessions get a {@link Room} (one router) on the least loaded worker.
 */
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { SfuConfig } from './config.js';
import { Room } from './Room.js';

/** The codecs every session router offers. H.264 first; VP8 as the fallback. */
export const MEDIA_CODECS: ms.RouterRtpCodecCapability[] = [
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: {
			'packetization-mode': 1,
			// Constrained Baseline, level 3.1: what Chromium's OpenH264 and every phone decode.
			'profile-level-id': '42e01f',
			'level-asymmetry-allowed': 1,
			'x-google-start-bitrate': 2000,
		},
		rtcpFeedback: [
			{ type: 'nack' },
			{ type: 'nack', parameter: 'pli' },
			{ type: 'ccm', parameter: 'fir' },
			{ type: 'goog-remb' },
			{ type: 'transport-cc' },
		],
	},
	{
		kind: 'video',
		mimeType: 'video/VP8',
		clockRate: 90000,
		parameters: { 'x-google-start-bitrate': 2000 },
	},
];

interface WorkerSlot {
	worker: ms.Worker;
	webRtcServer: ms.WebRtcServer;
	rooms: number;
}

export class Sfu {
	readonly #config: SfuConfig;
	readonly #logger: Logger;
	readonly #slots: WorkerSlot[];
	readonly #rooms = new Map<string, Room>();
	#deadWorkers = 0;
	#closed = false;

	/** Starts `config.workers` workers, each with its WebRtcServer. */
	static async create(config: SfuConfig, logger: Logger): Promise<Sfu> {
		const slots: WorkerSlot[] = [];
		try {
			for (let i = 0; i < config.workers; i++) {
				const worker = await mediasoup.createWorker({ logLevel: config.logLevel, appData: { index: i } });
				slots.push({ worker, webRtcServer: undefined as unknown as ms.WebRtcServer, rooms: 0 });
				const port = config.port + i;
				slots[i]!.webRtcServer = await worker.createWebRtcServer({
					listenInfos: [
						{ protocol: 'udp', ip: config.listenIp, port },
						{ protocol: 'tcp', ip: config.listenIp, port },
					],
				});
			}
		} catch (error) {
			for (const slot of slots) slot.worker.close();
			throw error;
		}
		return new Sfu(config, logger, slots);
	}

	private constructor(config: SfuConfig, logger: Logger, slots: WorkerSlot[]) {
		this.#config = config;
		this.#logger = logger;
		this.#slots = slots;
		for (const slot of slots) {
			slot.worker.on('died', (error) => {
				// NOTE: a dead worker takes its routers with it; the rooms on it close and their
				// sessions end. The pool does not respawn it: /healthz turns unhealthy so the
				// process supervisor (Kubernetes, systemd) restarts the service.
				this.#deadWorkers++;
				this.#logger.error({ err: error, pid: slot.worker.pid }, 'mediasoup worker died');
			});
		}
	}

	get config(): SfuConfig {
		return this.#config;
	}

	/** False once any worker has died. */
	get healthy(): boolean {
		return this.#deadWorkers === 0 && !this.#closed;
	}

	/** Process ids of the workers, for CPU and memory accounting. */
	get workerPids(): number[] {
		return this.#slots.map((slot) => slot.worker.pid);
	}

	/** Creates the room of a session on the worker with the fewest rooms. */
	async createRoom(sessionId: string): Promise<Room> {
		if (this.#closed) throw new Error('SFU is closed');
		if (this.#rooms.has(sessionId)) throw new Error(`room ${sessionId} exists`);
		const live = this.#slots.filter((s) => !s.worker.died);
		if (live.length === 0) throw new Error('no live mediasoup worker');
		const slot = live.reduce((a, b) => (b.rooms < a.rooms ? b : a));
		slot.rooms++;
		try {
			const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
			const room = await Room.create({
				sessionId,
				router,
				webRtcServer: slot.webRtcServer,
				config: this.#config,
				logger: this.#logger.child({ sessionId }),
			});
			this.#rooms.set(sessionId, room);
			room.once('close', () => {
				slot.rooms--;
				this.#rooms.delete(sessionId);
			});
			return room;
		} catch (error) {
			slot.rooms--;
			throw error;
		}
	}

	/** Closes every room and worker. Safe to call twice. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		for (const room of this.#rooms.values()) room.close();
		for (const slot of this.#slots) slot.worker.close();
	}
}
