/**
 * The typed bridge between Node and the cloud browser's extension page, where the
 * publisher runs (publisher/page/publisher.ts): what Node may call there, and what the
 * page may call back. Node calls through `PublisherBridge` (publisher/PublisherBridge.ts);
 * the page installs its side as `globalThis[PUBLISHER_GLOBAL]` and calls Node through the
 * `SIGNAL_BINDING` binding. Nothing else crosses.
 */
import type { DetectorReport } from './masking.js';
import type { Rendition } from './wire.js';

/** Where the page installs its {@link PublisherPageApi}. */
export const PUBLISHER_GLOBAL = '__alongsidePublisher';
/** The binding the page calls Node through: `(method, payload) => Promise<result>`. */
export const SIGNAL_BINDING = '__alongsideSignal';

export interface CaptureOptions {
	routerRtpCapabilities: Record<string, unknown>;
	transport: {
		id: string;
		iceParameters: Record<string, unknown>;
		iceCandidates: Record<string, unknown>[];
		dtlsParameters: Record<string, unknown>;
	};
	/** The page's viewport when the capture starts, CSS px (frames follow it as it changes). */
	width: number;
	height: number;
	/** The longest side a frame may have (the largest shape a page may take). */
	maxSide: number;
	maxFps: number;
	maxBitrate: number;
	/** Preferred codec mime type, e.g. `video/H264`; falls back to the router's first. */
	codec: string;
	/** The renditions to produce: `clear` (the capture as is), `masked` (through the compositor). */
	renditions: Rendition[];
}

export interface CaptureStats {
	codec: string | undefined;
	encoder: string | undefined;
	framesPerSecond: number | undefined;
	framesEncoded: number | undefined;
	frameWidth: number | undefined;
	frameHeight: number | undefined;
	bytesSent: number | undefined;
	/** Protocol of the connection to the SFU (`udp`, or `tcp` when UDP failed). */
	transportProtocol: string | undefined;
}

/** What the masked rendition's compositor did since the last call (Node turns it into metrics). */
export interface MaskStats {
	frames: number;
	/** Frames covered whole, by reason. */
	covered: Record<string, number>;
	/** Per frame painted with boxes: how many boxes. */
	boxes: number[];
	/** Per frame: compositor time, ms. */
	compositorMs: number[];
	/** Per state: detector measurement → state known to the compositor, ms. */
	reportDelayMs: number[];
	/** Per state: detector measurement → first frame carrying its tag, ms. */
	frameDelayMs: number[];
	/** Frames that the boxes of their own state alone would not have covered: see `audit`. */
	staleRuleFrames: number;
	/** Frames where the audit colour was found outside everything painted (bench and tests only). */
	auditLeaks: number;
	/** What the compositor knew about the first few audit leaks (to diagnose them). */
	auditNotes: string[];
}

/** Messages to the compositor about masking. */
export type MaskMessage =
	| { kind: 'report'; report: DetectorReport }
	/**
	 * Input sent to the page at `at`, numbered `seq` (the detector acknowledges it in its
	 * reports); `scrolls` when it may scroll (wheel, touch, scrolling keys).
	 */
	| { kind: 'input'; at: number; seq: number; scrolls: boolean }
	/**
	 * The newest rules generation delivered to the detector (see DetectorRules); null: the
	 * session has no rules yet (a warm browser not bound to a company). Frames of states found
	 * with an older generation are covered.
	 */
	| { kind: 'rules'; generation: number | null }
	| { kind: 'navigating' }
	/** The page took another shape: frames come at this size (CSS px) from now on. */
	| { kind: 'viewport'; width: number; height: number }
	/**
	 * Bench and tests: count frames in which a colour (RGB) appears outside the boxes of the
	 * frame's own state (`staleRuleFrames`) and outside everything painted (`auditLeaks`).
	 */
	| { kind: 'audit'; rgb: [number, number, number] | null };

/** What Node may call in the extension page. */
export interface PublisherPageApi {
	/** Loads the mediasoup device for the router (idempotent). */
	load(routerRtpCapabilities: Record<string, unknown>): Promise<void>;
	/** Starts capturing the active tab (idempotent); must settle before the tab navigates. */
	capture(options: CaptureOptions): Promise<{ tabId: number }>;
	/**
	 * Moves the capture and both renditions to the tab now at the front (showing `url`),
	 * without renegotiation; the masked rendition is covered until that tab's detector
	 * (whose rules generation is `rules`) reports. `ms`: how long the switch took.
	 */
	switchTab(options: { url: string; rules: number | null; size: { width: number; height: number } }): Promise<{ tabId: number; ms: number }>;
	/** Publishes the renditions; resolves once the transport is connected. */
	start(options: CaptureOptions): Promise<{ producerIds: Partial<Record<Rendition, string>>; timings: Record<string, number> }>;
	/** Encoder statistics of a rendition's producer. */
	stats(rendition: Rendition): Promise<CaptureStats>;
	/** Takes what the compositor counted since the last call. */
	maskStats(): MaskStats;
	mask(message: MaskMessage): void;
	/**
	 * A small JPEG of the masked rendition (base64; at most `width` px wide), for the
	 * supervisor's wall: the newest one made, or null before there is one. Asking keeps
	 * them coming (about one a second, from painted frames only) for a few seconds.
	 */
	thumbnail(width: number): string | null;
	stop(): void;
}

/** What the page may call in Node. */
export interface PublisherSignals {
	connect(payload: { transportId: string; dtlsParameters: Record<string, unknown> }): Promise<null>;
	produce(payload: { transportId: string; rendition: Rendition; rtpParameters: Record<string, unknown> }): Promise<string>;
}
