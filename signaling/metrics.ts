/**
 * Prometheus metrics (prom-client), all prefixed `alongside_`. One registry per running
 * service instance, so tests can start several servers in one process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where gauges that are read at scrape time get their values. */
export interface MetricSources {
	sessions(): number;
	transports(): number;
}

export class Metrics {
	readonly registry = new Registry();
	readonly sessions: Gauge;
	readonly participants: Gauge<'role'>;
	readonly transports: Gauge;
	readonly inputEvents: Counter<'type' | 'role'>;
	readonly inputDropped: Counter<'code'>;
	readonly annotationsDropped: Counter<'code'>;
	readonly annotationMessages: Counter<'type'>;
	readonly chatMessages: Counter<'role'>;
	readonly inputRefusals: Counter<'reason' | 'kind'>;
	readonly navigationRefusals: Counter<'source'>;
	readonly signalingRequests: Counter<'type'>;
	readonly signalingErrors: Counter<'code'>;
	readonly backgroundErrors: Counter<'kind'>;
	readonly unhandledErrors: Counter<'scope' | 'kind'>;
	readonly limitRefusals: Counter<'limit'>;
	readonly egressRefusals: Counter<'reason'>;
	readonly pinsIssued: Counter;
	readonly browserStart: Histogram;
	readonly renditionRefusals: Counter<'role'>;
	readonly maskedFrames: Counter;
	readonly maskCoveredFrames: Counter<'reason'>;
	readonly maskRegions: Histogram;
	readonly maskCompositorSeconds: Histogram;
	readonly maskDelaySeconds: Histogram<'stage'>;
	readonly maskBadReports: Counter;
	readonly maskScanFailures: Counter;
	readonly recordingBytes: Counter;
	readonly recorderFailures: Counter<'reason'>;
	readonly webhookDeliveries: Counter<'result'>;
	#recordingsActive: () => number = () => 0;

	#sources: MetricSources = { sessions: () => 0, transports: () => 0 };

	constructor(options: { defaultMetrics?: boolean } = {}) {
		const sources = () => this.#sources;
		const registers = [this.registry];
		if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'alongside_' });
		this.sessions = new Gauge({
			name: 'alongside_sessions',
			help: 'Live co-browsing sessions',
			registers,
			collect() {
				this.set(sources().sessions());
			},
		});
		const active = () => this.#recordingsActive();
		new Gauge({
			name: 'alongside_recordings_active',
			help: 'Sessions being recorded now',
			registers,
			collect() {
				this.set(active());
			},
		});
		this.recordingBytes = new Counter({ name: 'alongside_recording_bytes_total', help: 'Bytes of video written by recorders', registers });
		this.webhookDeliveries = new Counter({ name: 'alongside_webhook_deliveries_total', help: 'Webhook delivery attempts by result: delivered, retry (will be tried again), failed (given up)', labelNames: ['result'], registers });
		this.recorderFailures = new Counter({ name: 'alongside_recorder_failures_total', help: 'Recorder failures: could not start, died (and restarted), gave up, could not finish', labelNames: ['reason'], registers });
		this.participants = new Gauge({ name: 'alongside_participants', help: 'Joined participants, by role', labelNames: ['role'], registers });
		this.transports = new Gauge({
			name: 'alongside_transports',
			help: 'Open WebRTC transports',
			registers,
			collect() {
				this.set(sources().transports());
			},
		});
		this.inputEvents = new Counter({ name: 'alongside_input_events_total', help: 'Input events injected into cloud browsers', labelNames: ['type', 'role'], registers });
		this.inputDropped = new Counter({ name: 'alongside_input_dropped_total', help: 'Input messages dropped, by reason code', labelNames: ['code'], registers });
		this.annotationsDropped = new Counter({ name: 'alongside_annotations_dropped_total', help: 'Annotation messages dropped (rate, rights, malformed), by reason code', labelNames: ['code'], registers });
		this.annotationMessages = new Counter({ name: 'alongside_annotation_messages_total', help: 'Annotation messages taken and fanned out (strokes, pulses, undo, clear), by type', labelNames: ['type'], registers });
		this.chatMessages = new Counter({ name: 'alongside_chat_messages_total', help: 'Chat messages and supervisor notes sent, by the author\'s role', labelNames: ['role'], registers });
		this.inputRefusals = new Counter({
			name: 'alongside_input_refusals_total',
			help: "Agents' input refused by the policy gateway, by reason (lock rule, masked field, unseen) and kind of attempt",
			labelNames: ['reason', 'kind'],
			registers,
		});
		this.navigationRefusals = new Counter({
			name: 'alongside_navigation_refusals_total',
			help: "Navigations refused by the company's sites or the URL rules, by source (address_bar: asked for; page: a link, form, script, redirect or new tab)",
			labelNames: ['source'],
			registers,
		});
		this.signalingRequests = new Counter({ name: 'alongside_signaling_requests_total', help: 'Signaling requests received, by type', labelNames: ['type'], registers });
		this.signalingErrors = new Counter({ name: 'alongside_signaling_errors_total', help: 'Signaling error replies, by code', labelNames: ['code'], registers });
		this.backgroundErrors = new Counter({ name: 'alongside_background_errors_total', help: 'Failures outside any request, by kind', labelNames: ['kind'], registers });
		this.unhandledErrors = new Counter({
			name: 'alongside_unhandled_errors_total',
			help: 'Errors that escaped every handler and were contained, by scope (connection, session, none) and kind',
			labelNames: ['scope', 'kind'],
			registers,
		});
		this.limitRefusals = new Counter({
			name: 'alongside_limit_refusals_total',
			help: 'Requests, connections and frames refused by a resource cap or rate limit, by limit',
			labelNames: ['limit'],
			registers,
		});
		this.egressRefusals = new Counter({
			name: 'alongside_egress_refusals_total',
			help: "Requests and connections of the cloud browsers refused by the egress proxy, by reason (port, protected, own_address, non_public, invalid, dns, bad_request, limit)",
			labelNames: ['reason'],
			registers,
		});
		this.pinsIssued = new Counter({ name: 'alongside_pins_issued_total', help: 'PINs issued to customers', registers });
		this.browserStart = new Histogram({
			name: 'alongside_browser_start_seconds',
			help: 'Time from session creation to the cloud browser publishing',
			buckets: [0.25, 0.5, 1, 2, 4, 8, 16],
			registers,
		});
		this.renditionRefusals = new Counter({
			name: 'alongside_rendition_refusals_total',
			help: 'Requests for a video rendition the role may not see (the clear one, by a non-customer), by role',
			labelNames: ['role'],
			registers,
		});
		this.maskedFrames = new Counter({ name: 'alongside_masked_frames_total', help: 'Frames through the masked rendition\'s compositor', registers });
		this.maskCoveredFrames = new Counter({
			name: 'alongside_mask_covered_frames_total',
			help: 'Masked-rendition frames covered whole for safety, by reason (tag_unreadable, tag_unknown, not_scanned, navigating, detector_behind, no_rules)',
			labelNames: ['reason'],
			registers,
		});
		this.maskRegions = new Histogram({ name: 'alongside_mask_regions', help: 'Masked regions painted per frame', buckets: [0, 1, 2, 4, 8, 16, 32, 64], registers });
		this.maskCompositorSeconds = new Histogram({
			name: 'alongside_mask_compositor_seconds',
			help: 'Compositor time per masked frame (copy, read the tag, paint, new frame)',
			buckets: [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064],
			registers,
		});
		this.maskDelaySeconds = new Histogram({
			name: 'alongside_mask_delay_seconds',
			help: 'From the detector measuring a state to the compositor knowing it (stage=report) and to the first frame carrying its tag (stage=frame)',
			labelNames: ['stage'],
			buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256],
			registers,
		});
		this.maskScanFailures = new Counter({ name: 'alongside_mask_scan_failures_total', help: 'Detector scans that failed (the page was covered until one succeeded)', registers });
		this.maskBadReports = new Counter({ name: 'alongside_mask_bad_reports_total', help: 'Detector reports that did not parse (the frames they name stay covered)', registers });
	}

	/** Sets where the scrape-time gauges read from. */
	bind(sources: MetricSources): void {
		this.#sources = sources;
	}

	/** Where `alongside_recordings_active` is read from. */
	bindRecordings(active: () => number): void {
		this.#recordingsActive = active;
	}
}
