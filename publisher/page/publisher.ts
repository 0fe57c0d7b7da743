/**
 * Runs inside the cloud browser, in puppeteer-stream's extension page: a privileged
 * context that may call `chrome.tabCapture` without a user gesture. It captures one tab
 * once and publishes it with mediasoup-client as two renditions (see
 * shared/ARCHITECTURE.md, "The two renditions"):
 * - `clear`, the capture as is, for the customer;
 * - `masked`, every frame through the compositor (compositor.ts) before it is encoded, for
 *   everyone else. No frame reaches the masked encoder unpainted: a frame the compositor
 *   cannot decide on is covered whole.
 *
 * Node drives it through `globalThis[PUBLISHER_GLOBAL]` ({@link PublisherPageApi}) and it
 * calls Node through the `SIGNAL_BINDING` binding: protocol/bridge.ts is the whole
 * interface. Bundled to an IIFE by publisher/bundle.ts and evaluated with CDP (so the
 * extension's CSP does not apply).
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import {
	type CaptureOptions,
	type CaptureStats,
	type MaskMessage,
	type MaskStats,
	PUBLISHER_GLOBAL,
	type PublisherPageApi,
	SIGNAL_BINDING,
} from '../../protocol/bridge.js';
import type { Rendition } from '../../protocol/wire.js';
import { COVER_PAINT, type Decision, fillRect, frameTag, MaskBook, type MaskState, type Notice, noticeFromRgba, paintDecision, type PixelFormat, type RawFrame } from './compositor.js';

declare const chrome: {
	runtime: { lastError?: { message?: string } };
	tabCapture: {
		getMediaStreamId(options: { targetTabId: number }, callback: (streamId: string) => void): void;
	};
	tabs: { query(query: Record<string, unknown>): Promise<{ id?: number; url?: string; active: boolean }[]> };
};

// NOTE: Chromium's breakout box (not in TypeScript's DOM library): they exist on windows,
// not in dedicated workers, in Chromium 156.
declare class MediaStreamTrackProcessor {
	constructor(init: { track: MediaStreamTrack; maxBufferSize?: number });
	readonly readable: ReadableStream<VideoFrame>;
}
declare class MediaStreamTrackGenerator extends MediaStreamTrack {
	constructor(init: { kind: 'video' });
	readonly writable: WritableStream<VideoFrame>;
}

type Signal = (method: string, payload: unknown) => Promise<unknown>;

let device: Device | undefined;
let transport: types.Transport | undefined;
const producers = new Map<Rendition, types.Producer>();
let loading: Promise<void> | undefined;
let capturing: Promise<{ track: MediaStreamTrack; tabId: number }> | undefined;
/** The capture's bounds (see captureTab), kept for the captures of other tabs. */
let bounds = { maxSide: 1920, fps: 30 };
let viewport = { width: 1280, height: 720 };
/** Feeds the masked rendition's compositor from another capture (set once the masked track exists). */
let feedMasked: ((track: MediaStreamTrack) => void) | undefined;
/** Tab switches, one after the other. */
let switching: Promise<unknown> = Promise.resolve();

function signal(): Signal {
	return (globalThis as unknown as Record<string, Signal>)[SIGNAL_BINDING]!;
}

/**
 * The tab to capture: the active one (Node brought it to the front); when several windows
 * have an active tab (a popup opens its own window), the one showing `url`, then the one
 * in the window last focused.
 */
async function findTabId(url?: string): Promise<number> {
	const tabs = await chrome.tabs.query({});
	const candidates = tabs.filter((tab) => tab.id !== undefined && !tab.url?.startsWith('chrome-extension://'));
	let active = candidates.filter((t) => t.active);
	if (active.length > 1 && url !== undefined) {
		const showing = active.filter((t) => t.url === url);
		if (showing.length >= 1) active = showing;
	}
	if (active.length > 1) {
		const focused = (await chrome.tabs.query({ active: true, lastFocusedWindow: true })).filter((t) => active.some((a) => a.id === t.id));
		if (focused.length === 1) active = focused;
	}
	const tab = active[0] ?? candidates[0];
	if (tab?.id === undefined) throw new Error('no tab to capture');
	return tab.id;
}

async function captureTab(tabId: number, maxSide: number, fps: number): Promise<MediaStreamTrack> {
	const streamId = await new Promise<string>((resolve, reject) => {
		chrome.tabCapture.getMediaStreamId({ targetTabId: tabId }, (id) => {
			if (chrome.runtime.lastError || !id) reject(new Error(chrome.runtime.lastError?.message ?? 'tab capture refused'));
			else resolve(id);
		});
	});
	const stream = await navigator.mediaDevices.getUserMedia({
		audio: false,
		video: {
			// NOTE: Chrome's tab capture only honours the legacy "mandatory" constraint syntax.
			mandatory: {
				chromeMediaSource: 'tab',
				chromeMediaSourceId: streamId,
				// NOTE: any shape up to the largest a page may take: frames then come at the
				// size of the page's viewport as it changes (a phone's, a desktop's), never
				// scaled up. Bounds of one aspect ratio would letterbox every frame to it.
				minWidth: 16,
				minHeight: 9,
				maxWidth: maxSide,
				maxHeight: maxSide,
				maxFrameRate: fps,
			},
		} as unknown as MediaTrackConstraints,
	});
	const track = stream.getVideoTracks()[0];
	if (!track) throw new Error('tab capture returned no video track');
	// Text must stay sharp: prefer dropping frames to dropping resolution.
	track.contentHint = 'detail';
	return track;
}

/**
 * Starts capturing the tab (idempotent). NOTE: must settle before the tab navigates: a
 * capture whose stream starts while the tab commits a new page fails ("Could not start
 * video source"); once started it follows the tab across navigations.
 */
function capture(opts: CaptureOptions): Promise<{ tabId: number }> {
	viewport = { width: opts.width, height: opts.height };
	bounds = { maxSide: opts.maxSide, fps: opts.maxFps };
	capturing ??= (async () => {
		const tabId = await findTabId();
		return { track: await captureTab(tabId, opts.maxSide, opts.maxFps), tabId };
	})();
	return capturing.then(({ tabId }) => ({ tabId }));
}

/**
 * Moves the capture to the tab Node just brought to the front (`url`: what it shows), and
 * both renditions with it, on the same producers (no renegotiation): the clear one's track
 * is replaced, the compositor is fed from the new capture. The masked rendition is covered
 * from now until the new tab's detector reports (`rules`: the generation its detector has;
 * `size`: the viewport it has). The previous capture stops once the new one runs.
 */
function switchTab(opts: { url: string; rules: number | null; size: { width: number; height: number } }): Promise<{ tabId: number; ms: number }> {
	const next = switching.then(async () => {
		const t0 = performance.now();
		const current = await capturing;
		// NOTE: before anything of the new tab can reach the compositor.
		book.navigating();
		book.rules(opts.rules);
		viewport = { ...opts.size };
		const tabId = await findTabId(opts.url);
		if (current?.tabId === tabId) return { tabId, ms: performance.now() - t0 };
		const track = await captureTab(tabId, bounds.maxSide, bounds.fps);
		capturing = Promise.resolve({ track, tabId });
		const clear = producers.get('clear');
		if (clear) await clear.replaceTrack({ track });
		feedMasked?.(track.clone());
		current?.track.stop();
		return { tabId, ms: performance.now() - t0 };
	});
	switching = next.catch(() => undefined);
	return next;
}

/**
 * Loads the mediasoup device for the router's capabilities (it probes the browser with a
 * throw-away peer connection). Called early, while the page is being set up; idempotent.
 */
function load(routerRtpCapabilities: Record<string, unknown>): Promise<void> {
	loading ??= (async () => {
		const d = new Device();
		await d.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
		device = d;
	})();
	return loading;
}

async function start(opts: CaptureOptions): Promise<{ producerIds: Partial<Record<Rendition, string>>; timings: Record<string, number> }> {
	const t0 = performance.now();
	const timings: Record<string, number> = {};
	const mark = (name: string) => (timings[name] = Math.round(performance.now() - t0));
	await Promise.all([capture(opts), load(opts.routerRtpCapabilities)]);
	const { track } = await capturing!;
	mark('device+capture');
	const loaded = device!;
	const sendTransport = loaded.createSendTransport({ ...(opts.transport as unknown as types.TransportOptions) });
	transport = sendTransport;
	sendTransport.on('connect', ({ dtlsParameters }, callback, errback) => {
		signal()('connect', { transportId: opts.transport.id, dtlsParameters }).then(() => callback(), errback);
	});
	sendTransport.on('produce', ({ rtpParameters, appData }, callback, errback) => {
		signal()('produce', { transportId: opts.transport.id, rtpParameters, rendition: appData.rendition })
			.then((id) => callback({ id: id as string }), errback);
	});
	const codec =
		loaded.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === opts.codec.toLowerCase()) ??
		loaded.rtpCapabilities.codecs?.find((c) => c.kind === 'video' && !/rtx/i.test(c.mimeType));
	const producerIds: Partial<Record<Rendition, string>> = {};
	for (const rendition of opts.renditions) {
		// NOTE: the masked rendition gets its own clone of the capture: the compositor's
		// reader must not take frames from the clear encoder.
		const source = rendition === 'clear' ? track : maskedTrack(track.clone());
		const producer = await sendTransport.produce({
			track: source,
			codec,
			encodings: [{ maxBitrate: opts.maxBitrate, maxFramerate: opts.maxFps }],
			codecOptions: { videoGoogleStartBitrate: 2000 },
			appData: { rendition },
			// NOTE: the capture itself outlives its producers (a start retried on a fresh
			// transport produces it again); the masked rendition's track is made per producer.
			stopTracks: rendition !== 'clear',
		});
		producers.set(rendition, producer);
		producerIds[rendition] = producer.id;
		mark(`produce:${rendition}`);
	}
	try {
		await Promise.all([...[...producers.values()].map(keepResolution), connected(sendTransport)]);
	} catch (error) {
		// NOTE: left clean for another start on a fresh transport (CloudBrowser retries once).
		sendTransport.close();
		producers.clear();
		transport = undefined;
		throw error;
	}
	mark('connected');
	return { producerIds, timings };
}

/** Resolves once the transport is connected (ICE and DTLS); rejects if it fails or takes 10 s. */
function connected(t: types.Transport): Promise<void> {
	return new Promise((resolve, reject) => {
		const check = (state: string) => {
			if (state === 'connected') done();
			else if (state === 'failed' || state === 'closed') done(new Error(`the send transport ${state}`));
		};
		const timer = setTimeout(() => {
			// NOTE: what ICE saw, in the error, so that a rare failure in CI says why.
			void iceSummary(t).then((seen) => done(new Error(`the send transport did not connect in 10 s (${t.connectionState}; ${seen})`)));
		}, 10_000);
		const done = (error?: Error) => {
			clearTimeout(timer);
			t.off('connectionstatechange', check);
			if (error) reject(error);
			else resolve();
		};
		t.on('connectionstatechange', check);
		check(t.connectionState);
	});
}

/** The transport's local candidates and candidate pairs, in one line (no secrets: addresses on this machine). */
async function iceSummary(t: types.Transport): Promise<string> {
	try {
		const local: string[] = [];
		const pairs: string[] = [];
		const stats = await t.getStats();
		stats.forEach((s: Record<string, unknown>) => {
			if (s.type === 'local-candidate') local.push(`${s.candidateType}/${s.protocol} ${s.address}:${s.port}`);
			if (s.type === 'candidate-pair') pairs.push(`${s.state} sent ${s.requestsSent} recv ${s.responsesReceived}`);
		});
		return `local [${local.join(', ') || 'none'}] pairs [${pairs.join(', ') || 'none'}]`;
	} catch (error) {
		return `no stats: ${(error as Error).message}`;
	}
}

async function keepResolution(p: types.Producer): Promise<void> {
	const sender = p.rtpSender;
	if (!sender) return;
	const params = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
	params.degradationPreference = 'maintain-resolution';
	await sender.setParameters(params).catch(() => {
		// NOTE: older Chromes reject degradationPreference; contentHint 'detail' already asks for it.
	});
}

// --- the masked rendition ---------------------------------------------------------------

const book = new MaskBook();
/** How long a frame may wait for the detector to catch up with input before it is covered. */
const HOLD_MS = 60;
let stateWaiters: Array<() => void> = [];
/** Judges a frame held back again (see maskedTrack); set once the masked track exists. */
let heldRelease: () => void = () => undefined;
let audit: [number, number, number] | null = null;
/** States not yet seen on a frame: tag → detector time, for the frame delay. */
const unseen = new Map<number, number>();
let counters = emptyStats();

/** Thumbnails of the masked rendition (see PublisherPageApi.thumbnail). */
const thumbs = { wantedUntil: 0, width: 240, madeAt: 0, busy: false, last: null as string | null };
/** How often a thumbnail is made while wanted, and how long one request keeps them coming. */
const THUMB_EVERY_MS = 1000;
const THUMB_WANTED_MS = 8000;

function thumbnail(width: number): string | null {
	thumbs.wantedUntil = performance.now() + THUMB_WANTED_MS;
	thumbs.width = Math.max(80, Math.min(480, Math.round(width)));
	return thumbs.last;
}

/** Makes a thumbnail from a frame the compositor painted (never from the capture itself). */
function makeThumbnail(frame: VideoFrame): void {
	thumbs.busy = true;
	thumbs.madeAt = performance.now();
	const width = thumbs.width;
	const height = Math.max(1, Math.round((frame.displayHeight * width) / Math.max(1, frame.displayWidth)));
	void (async () => {
		try {
			const bitmap = await createImageBitmap(frame, { resizeWidth: width, resizeHeight: height, resizeQuality: 'medium' });
			const canvas = new OffscreenCanvas(width, height);
			canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
			bitmap.close();
			const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.6 });
			const bytes = new Uint8Array(await blob.arrayBuffer());
			let binary = '';
			for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
			thumbs.last = btoa(binary);
		} catch (error) {
			console.warn('thumbnail failed', error);
		} finally {
			frame.close();
			thumbs.busy = false;
		}
	})();
}

function emptyStats(): MaskStats {
	return { frames: 0, covered: {}, boxes: [], compositorMs: [], reportDelayMs: [], frameDelayMs: [], staleRuleFrames: 0, auditLeaks: 0, auditNotes: [] };
}

/** Samples kept per series between two reads (Node reads every few seconds). */
const MAX_SAMPLES = 2000;
function sample(series: number[], value: number): void {
	if (series.length < MAX_SAMPLES) series.push(value);
}

function mask(message: MaskMessage): void {
	switch (message.kind) {
		case 'report': {
			const { report } = message;
			const received = Date.now();
			if (report.boxes && report.viewport) {
				const state: MaskState = { doc: report.doc, tag: report.tag, boxes: report.boxes, viewport: report.viewport, at: report.at, rules: report.rules ?? 0, input: report.input, incomplete: report.incomplete, clean: report.clean };
				book.add(state);
				unseen.set(report.tag, report.at);
				if (unseen.size > 64) unseen.delete(unseen.keys().next().value!);
			} else {
				book.touch(report.doc, report.tag, report.at, report.input);
			}
			sample(counters.reportDelayMs, received - report.at);
			break;
		}
		case 'input':
			book.input(message.at, message.scrolls, message.seq);
			break;
		case 'rules':
			book.rules(message.generation);
			break;
		case 'navigating':
			book.navigating();
			break;
		case 'viewport':
			viewport = { width: message.width, height: message.height };
			break;
		case 'audit':
			audit = message.rgb;
			break;
	}
	const waiters = stateWaiters;
	stateWaiters = [];
	for (const wake of waiters) wake();
	heldRelease();
}

/** Resolves at the next mask message, or after `ms`. */
function nextMessage(ms: number): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, ms);
		stateWaiters.push(() => {
			clearTimeout(timer);
			resolve();
		});
	});
}

const FORMATS = new Set<PixelFormat>(['I420', 'I420A', 'NV12', 'RGBA', 'RGBX', 'BGRA', 'BGRX']);

/**
 * How long after the last frame painted with boxes a frame that must be covered is held
 * back instead (viewers keep the previous, safe picture), while the detector may still
 * vouch for it: covering for one frame at a time, as scrolling fast does, would flash.
 */
const HOLD_GOOD_MS = 300;

/** The "hidden while the page updates" notice, drawn once (the extension page has a canvas). */
function drawNotice(text: string): Notice | undefined {
	try {
		const [width, height] = [460, 56];
		const canvas = new OffscreenCanvas(width, height);
		const g = canvas.getContext('2d')!;
		g.fillStyle = '#c8c8c8';
		g.fillRect(0, 0, width, height);
		g.fillStyle = '#334155';
		g.beginPath();
		g.roundRect(0, 0, width, height, 12);
		g.fill();
		g.fillStyle = '#ffffff';
		g.font = '600 22px "DejaVu Sans", "Liberation Sans", sans-serif';
		g.textAlign = 'center';
		g.textBaseline = 'middle';
		g.fillText(text, width / 2, height / 2 + 1);
		return noticeFromRgba(g.getImageData(0, 0, width, height).data, width, height);
	} catch (error) {
		// NOTE: without the notice, covered frames are plain grey: still covered.
		console.warn('no notice for covered frames', error);
		return undefined;
	}
}

/** A frame held back (see {@link HOLD_GOOD_MS}), with what it needs to be judged again. */
interface Held {
	out: RawFrame;
	tag: number | undefined;
	arrived: number;
	init: VideoFrameBufferInit;
}

/**
 * The masked track: the capture's frames through the compositor. NOTE: processed on this
 * page's main thread (editing I420 in place takes well under a millisecond per frame);
 * the extension's CSP forbids blob workers.
 */
function maskedTrack(track: MediaStreamTrack): MediaStreamTrack {
	const generator = new MediaStreamTrackGenerator({ kind: 'video' });
	// NOTE: a generated track does not inherit the capture's content hint: without it WebRTC
	// scales it down under bandwidth limits.
	generator.contentHint = 'detail';
	const notice = drawNotice('Hidden while the page updates');
	let buffer = new Uint8Array(0);
	let heldBuffer = new Uint8Array(0);
	let held: Held | undefined;
	let heldTimer: ReturnType<typeof setTimeout> | undefined;
	/** When a frame painted with boxes last left (performance.now()). */
	let lastGood = Number.NEGATIVE_INFINITY;
	let output: TransformStreamDefaultController<VideoFrame> | undefined;

	/** Paints a frame as decided and sends it on; counts it. */
	const emit = (out: RawFrame, decision: Decision, tag: number | undefined, init: VideoFrameBufferInit, t0: number) => {
		if (audit) auditFrame(out, decision, tag);
		const painted = paintDecision(out, decision, book.newest?.viewport ?? viewport, tag, notice);
		counters.frames++;
		if (painted.cover) counters.covered[painted.cover] = (counters.covered[painted.cover] ?? 0) + 1;
		else {
			sample(counters.boxes, painted.boxes);
			lastGood = performance.now();
		}
		if (tag !== undefined && unseen.has(tag)) {
			sample(counters.frameDelayMs, Date.now() - unseen.get(tag)!);
			unseen.delete(tag);
		}
		output!.enqueue(new VideoFrame(out.data, init));
		sample(counters.compositorMs, performance.now() - t0);
		// NOTE: from the painted frame, after the compositor's time is taken (not on the hot path's clock).
		const now = performance.now();
		if (now < thumbs.wantedUntil && !thumbs.busy && now - thumbs.madeAt >= THUMB_EVERY_MS) makeThumbnail(new VideoFrame(out.data, init));
	};

	/**
	 * Judges the held frame again (after a mask message, or when it may be held no longer):
	 * sent painted with boxes once the detector vouches for it, else covered once `force`.
	 */
	const releaseHeld = (force: boolean) => {
		if (!held || !output) return;
		const decision = book.decide(held.tag, held.arrived);
		if ('cover' in decision && !force) return;
		const { out, tag, init } = held;
		held = undefined;
		clearTimeout(heldTimer);
		try {
			emit(out, decision, tag, init, performance.now());
		} catch (error) {
			console.error('held frame dropped', error);
		}
	};
	heldRelease = () => releaseHeld(false);

	const transform = new TransformStream<VideoFrame, VideoFrame>({
		start(controller) {
			output = controller;
		},
		async transform(frame) {
			try {
				const t0 = performance.now();
				const rect = frame.visibleRect!;
				const format = frame.format as PixelFormat | null;
				const editable = format !== null && FORMATS.has(format);
				const width = rect.width;
				const height = rect.height;
				const size = frame.allocationSize();
				if (buffer.byteLength < size) buffer = new Uint8Array(size);
				const data = buffer.subarray(0, size);
				let out: RawFrame;
				if (editable) {
					const planes = await frame.copyTo(data);
					out = { format, width, height, data, planes: planes.map((p) => ({ offset: p.offset, stride: p.stride })) };
				} else {
					// NOTE: a format the compositor cannot edit is replaced by a covered I420 frame.
					out = blankI420(width, height);
				}
				// NOTE: a newer frame supersedes one held back: viewers get this one instead.
				if (held) {
					held = undefined;
					clearTimeout(heldTimer);
				}
				const tag = editable ? frameTag(out, book.newest?.viewport ?? viewport) : undefined;
				// NOTE: judged by when the frame arrived: one that waits for the detector must not
				// then pass on a report the detector made before the frame existed.
				const arrived = Date.now();
				let decision = book.decide(tag, arrived);
				if ('cover' in decision && decision.cover === 'detector_behind') {
					const deadline = performance.now() + HOLD_MS;
					while ('cover' in decision && decision.cover === 'detector_behind' && performance.now() < deadline) {
						await nextMessage(deadline - performance.now());
						decision = book.decide(tag, arrived);
					}
				}
				if (!editable) decision = { cover: 'tag_unreadable' };
				const init = {
					format: out.format,
					codedWidth: width,
					codedHeight: height,
					timestamp: frame.timestamp,
					duration: frame.duration ?? undefined,
					layout: out.planes,
					colorSpace: frame.colorSpace,
				} as unknown as VideoFrameBufferInit;
				const holdFor = lastGood + HOLD_GOOD_MS - performance.now();
				if ('cover' in decision && holdFor > 0 && editable) {
					// NOTE: held, not sent: viewers keep the last frame painted with boxes (it was
					// safe), and this one is judged again as reports arrive, then sent painted with
					// boxes, or covered when the hold runs out. Never sent unpainted.
					if (heldBuffer.byteLength < size) heldBuffer = new Uint8Array(size);
					const copy = heldBuffer.subarray(0, size);
					copy.set(out.data);
					held = { out: { ...out, data: copy }, tag, arrived, init };
					heldTimer = setTimeout(() => releaseHeld(true), holdFor);
					return;
				}
				emit(out, decision, tag, init, t0);
			} finally {
				frame.close();
			}
		},
	});
	const stopped = (error: Error) => {
		// NOTE: an error stops the masked rendition (viewers see it freeze), never lets a
		// frame through unpainted.
		console.error('masked rendition stopped', error);
	};
	transform.readable.pipeTo(generator.writable).catch(stopped);
	const writer = transform.writable.getWriter();
	/** The capture feeding the compositor now, and how many feeds there were. */
	let source: { track: MediaStreamTrack; reader: ReadableStreamDefaultReader<VideoFrame> } | undefined;
	let feeds = 0;
	/** Feeds the compositor from `input` (a clone of a capture) instead of what fed it before. */
	const feed = (input: MediaStreamTrack) => {
		const mine = ++feeds;
		const previous = source;
		const reader = new MediaStreamTrackProcessor({ track: input, maxBufferSize: 2 }).readable.getReader();
		source = { track: input, reader };
		// NOTE: a frame of the previous tab held back is never sent now.
		if (held) {
			held = undefined;
			clearTimeout(heldTimer);
		}
		// NOTE: viewers keep the previous tab's last frame (it was safe) while the new one's
		// first frames wait for its detector, rather than a covered frame flashing between.
		if (previous) lastGood = performance.now();
		if (previous) {
			previous.reader.cancel().catch(() => undefined);
			previous.track.stop();
		}
		void (async () => {
			for (;;) {
				const { value, done } = await reader.read();
				if (done) return;
				if (mine !== feeds) {
					value.close();
					return;
				}
				await writer.write(value);
			}
		})().catch(stopped);
	};
	feed(track);
	feedMasked = feed;
	return generator;
}

function blankI420(width: number, height: number): RawFrame {
	const ySize = width * height;
	const cSize = Math.ceil(width / 2) * Math.ceil(height / 2);
	const data = new Uint8Array(ySize + 2 * cSize);
	const frame: RawFrame = {
		format: 'I420',
		width,
		height,
		data,
		planes: [
			{ offset: 0, stride: width },
			{ offset: ySize, stride: Math.ceil(width / 2) },
			{ offset: ySize + cSize, stride: Math.ceil(width / 2) },
		],
	};
	fillRect(frame, 0, 0, width, height, COVER_PAINT);
	return frame;
}

/**
 * Bench and tests: looks for the audit colour in the frame before it is painted, and counts
 * frames where it lies outside the boxes of the frame's own state (the N-only rule would
 * have leaked) and outside everything about to be painted (a leak the viewer would see).
 */
function auditFrame(frame: RawFrame, decision: Decision, tag: number | undefined): void {
	if (!audit || 'cover' in decision) return;
	const hits = colourPoints(frame, audit);
	if (hits.length === 0) return;
	const inside = (boxes: ReadonlyArray<readonly [number, number, number, number]>, [x, y]: [number, number]) =>
		boxes.some(([bx, by, bw, bh]) => x >= bx * frame.width && x < (bx + bw) * frame.width && y >= by * frame.height && y < (by + bh) * frame.height);
	const own = tag === undefined ? undefined : book.own(tag);
	if (own && hits.some((point) => !inside(own, point))) counters.staleRuleFrames++;
	const outside = hits.filter((point) => !inside(decision.boxes, point));
	if (outside.length > 0) {
		counters.auditLeaks++;
		if (counters.auditNotes.length < 5) counters.auditNotes.push(`tag ${tag} ${book.describe()} boxes ${decision.boxes.length} states ${decision.states} points ${outside.length} first ${outside[0]}`);
	}
}

/** Points (sampled every 2 px) whose colour is close to `rgb`; YUV formats compared in YUV. */
function colourPoints(frame: RawFrame, [r, g, b]: [number, number, number]): Array<[number, number]> {
	const points: Array<[number, number]> = [];
	const yuv = frame.format === 'I420' || frame.format === 'I420A' || frame.format === 'NV12';
	const Y = 0.257 * r + 0.504 * g + 0.098 * b + 16;
	const U = -0.148 * r - 0.291 * g + 0.439 * b + 128;
	const V = 0.439 * r - 0.368 * g - 0.071 * b + 128;
	const [p0, p1, p2] = frame.planes;
	for (let y = 0; y < frame.height; y += 2) {
		for (let x = 0; x < frame.width; x += 2) {
			if (yuv) {
				const cy = frame.data[p0!.offset + y * p0!.stride + x]!;
				let cu: number;
				let cv: number;
				if (frame.format === 'NV12') {
					const i = p1!.offset + (y >> 1) * p1!.stride + (x >> 1) * 2;
					[cu, cv] = [frame.data[i]!, frame.data[i + 1]!];
				} else {
					cu = frame.data[p1!.offset + (y >> 1) * p1!.stride + (x >> 1)]!;
					cv = frame.data[p2!.offset + (y >> 1) * p2!.stride + (x >> 1)]!;
				}
				if (Math.abs(cy - Y) < 24 && Math.abs(cu - U) < 16 && Math.abs(cv - V) < 16) points.push([x, y]);
			} else {
				const i = p0!.offset + y * p0!.stride + x * 4;
				const [cr, cg, cb] = frame.format.startsWith('RGB') ? [frame.data[i]!, frame.data[i + 1]!, frame.data[i + 2]!] : [frame.data[i + 2]!, frame.data[i + 1]!, frame.data[i]!];
				if (Math.abs(cr - r) < 40 && Math.abs(cg - g) < 40 && Math.abs(cb - b) < 40) points.push([x, y]);
			}
		}
	}
	return points;
}

function maskStats(): MaskStats {
	const taken = counters;
	counters = emptyStats();
	return taken;
}

async function stats(rendition: Rendition): Promise<CaptureStats> {
	const producer = producers.get(rendition);
	const report = producer ? await producer.getStats() : new Map();
	let outbound: Record<string, unknown> | undefined;
	const byId = new Map<string, Record<string, unknown>>();
	report.forEach((value: Record<string, unknown>) => byId.set(value.id as string, value));
	for (const value of byId.values()) if (value.type === 'outbound-rtp' && value.kind === 'video') outbound = value;
	const codec = outbound?.codecId ? byId.get(outbound.codecId as string) : undefined;
	const pairId = [...byId.values()].find((value) => value.type === 'transport')?.selectedCandidatePairId as string | undefined;
	const pair = pairId ? byId.get(pairId) : undefined;
	const local = pair?.localCandidateId ? byId.get(pair.localCandidateId as string) : undefined;
	return {
		codec: codec?.mimeType as string | undefined,
		encoder: outbound?.encoderImplementation as string | undefined,
		framesPerSecond: outbound?.framesPerSecond as number | undefined,
		framesEncoded: outbound?.framesEncoded as number | undefined,
		frameWidth: outbound?.frameWidth as number | undefined,
		frameHeight: outbound?.frameHeight as number | undefined,
		bytesSent: outbound?.bytesSent as number | undefined,
		transportProtocol: local?.protocol as string | undefined,
	};
}

function stop(): void {
	for (const producer of producers.values()) producer.close();
	producers.clear();
	transport?.close();
	transport = undefined;
}

const api: PublisherPageApi = { load, capture, switchTab, start, stats, maskStats, mask, thumbnail, stop };
(globalThis as unknown as Record<string, unknown>)[PUBLISHER_GLOBAL] = api;
