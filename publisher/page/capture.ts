/**
 * Runs inside the cloud browser, in puppeteer-stream's extension page: a privileged
 * context that may call `chrome.tabCapture` without a user gesture. It captures one tab as
 * a live MediaStreamTrack and publishes it with mediasoup-client into the session's router.
 *
 * It talks to Node only through `window.__alongsideSignal(method, payload)`, a binding the
 * publisher exposes on this page, and is driven by Node through `window.__alongsidePublisher`.
 * Bundled to an IIFE by publisher/bundle.ts and evaluated with CDP (so the extension's CSP
 * does not apply).
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';

declare const chrome: {
	runtime: { lastError?: { message?: string } };
	tabCapture: {
		getMediaStreamId(options: { targetTabId: number }, callback: (streamId: string) => void): void;
	};
	tabs: { query(query: Record<string, unknown>): Promise<{ id?: number; url?: string; active: boolean }[]> };
};

type Signal = (method: 'connect' | 'produce', payload: unknown) => Promise<unknown>;

export interface CaptureOptions {
	routerRtpCapabilities: types.RtpCapabilities;
	transport: {
		id: string;
		iceParameters: types.IceParameters;
		iceCandidates: types.IceCandidate[];
		dtlsParameters: types.DtlsParameters;
	};
	/** Which tab to capture; default: the active tab. */
	tabUrlPrefix?: string;
	width: number;
	height: number;
	maxFps: number;
	maxBitrate: number;
	/** Preferred codec mime type, e.g. `video/H264`; falls back to the router's first. */
	codec: string;
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

let device: Device | undefined;
let transport: types.Transport | undefined;
let producer: types.Producer | undefined;
let options: CaptureOptions | undefined;

function signal(): Signal {
	return (window as unknown as { __alongsideSignal: Signal }).__alongsideSignal;
}

async function findTabId(urlPrefix?: string): Promise<number> {
	const tabs = await chrome.tabs.query({});
	const candidates = tabs.filter((tab) => tab.id !== undefined && !tab.url?.startsWith('chrome-extension://'));
	const tab = urlPrefix
		? candidates.find((t) => t.url?.startsWith(urlPrefix))
		: (candidates.find((t) => t.active) ?? candidates[0]);
	if (tab?.id === undefined) throw new Error('no tab to capture');
	return tab.id;
}

async function captureTab(tabId: number, width: number, height: number, fps: number): Promise<MediaStreamTrack> {
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
				minWidth: width,
				maxWidth: width,
				minHeight: height,
				maxHeight: height,
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

let loading: Promise<void> | undefined;
let capturing: Promise<{ track: MediaStreamTrack; tabId: number }> | undefined;

/**
 * Starts capturing the tab (idempotent). NOTE: must settle before the tab navigates: a
 * capture whose stream starts while the tab commits a new page fails ("Could not start
 * video source"); once started it follows the tab across navigations.
 */
function capture(opts: CaptureOptions): Promise<{ track: MediaStreamTrack; tabId: number }> {
	capturing ??= (async () => {
		const tabId = await findTabId(opts.tabUrlPrefix);
		return { track: await captureTab(tabId, opts.width, opts.height, opts.maxFps), tabId };
	})();
	return capturing;
}

/**
 * Loads the mediasoup device for the router's capabilities (it probes the browser with a
 * throw-away peer connection). Called early, while the page is being set up; idempotent.
 */
function load(routerRtpCapabilities: types.RtpCapabilities): Promise<void> {
	loading ??= (async () => {
		const d = new Device();
		await d.load({ routerRtpCapabilities });
		device = d;
	})();
	return loading;
}

async function start(opts: CaptureOptions): Promise<{ producerId: string; tabId: number; timings: Record<string, number> }> {
	const t0 = performance.now();
	const timings: Record<string, number> = {};
	const mark = (name: string) => (timings[name] = Math.round(performance.now() - t0));
	options = opts;
	const [{ track, tabId }] = await Promise.all([capture(opts), load(opts.routerRtpCapabilities)]);
	mark('device+capture');
	const loaded = device!;
	transport = loaded.createSendTransport({ ...opts.transport });
	transport.on('connect', ({ dtlsParameters }, callback, errback) => {
		signal()('connect', { transportId: opts.transport.id, dtlsParameters }).then(() => callback(), errback);
	});
	transport.on('produce', ({ rtpParameters, appData }, callback, errback) => {
		signal()('produce', { transportId: opts.transport.id, rtpParameters, rendition: appData.rendition })
			.then((id) => callback({ id: id as string }), errback);
	});
	const codec =
		loaded.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === opts.codec.toLowerCase()) ??
		loaded.rtpCapabilities.codecs?.find((c) => c.kind === 'video' && !/rtx/i.test(c.mimeType));
	producer = await transport.produce({
		track,
		codec,
		encodings: [{ maxBitrate: opts.maxBitrate, maxFramerate: opts.maxFps }],
		codecOptions: { videoGoogleStartBitrate: 2000 },
		appData: { rendition: 'clear' },
		stopTracks: true,
	});
	mark('produce');
	await Promise.all([keepResolution(producer), connected(transport)]);
	mark('connected');
	return { producerId: producer.id, tabId, timings };
}

/** Resolves once the transport is connected (ICE and DTLS); rejects if it fails or takes 10 s. */
function connected(t: types.Transport): Promise<void> {
	return new Promise((resolve, reject) => {
		const check = (state: string) => {
			if (state === 'connected') done();
			else if (state === 'failed' || state === 'closed') done(new Error(`the send transport ${state}`));
		};
		const timer = setTimeout(() => done(new Error('the send transport did not connect in 10 s')), 10_000);
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

async function keepResolution(p: types.Producer): Promise<void> {
	const sender = p.rtpSender;
	if (!sender) return;
	const params = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
	params.degradationPreference = 'maintain-resolution';
	await sender.setParameters(params).catch(() => {
		// NOTE: older Chromes reject degradationPreference; contentHint 'detail' already asks for it.
	});
}

/** Captures another tab into the same producer, without renegotiation. */
async function switchTab(tabId: number): Promise<void> {
	if (!producer || !options) throw new Error('not publishing');
	const track = await captureTab(tabId, options.width, options.height, options.maxFps);
	await producer.replaceTrack({ track });
}

async function stats(): Promise<CaptureStats> {
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
	producer?.close();
	transport?.close();
	producer = undefined;
	transport = undefined;
}

(window as unknown as Record<string, unknown>).__alongsidePublisher = { load, capture, start, switchTab, stats, stop, findTabId };
