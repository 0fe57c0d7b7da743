/**
 * Node's side of the typed bridge to the cloud browser's extension page
 * (protocol/bridge.ts): every call into the page's publisher goes through here, and the
 * page's calls back arrive at the {@link PublisherSignals} given at load.
 */
import type { CDPSession, Page } from 'puppeteer-core';
import {
	type CaptureOptions,
	type CaptureStats,
	type MaskMessage,
	type MaskStats,
	PUBLISHER_GLOBAL,
	type PublisherPageApi,
	type PublisherSignals,
	SIGNAL_BINDING,
} from '../protocol/bridge.js';
import type { Rendition } from '../protocol/wire.js';
import { publisherScript } from './bundle.js';

type Method = keyof PublisherPageApi;
type Result<M extends Method> = Awaited<ReturnType<PublisherPageApi[M]>>;

export class PublisherBridge {
	readonly #page: Page;
	readonly #cdp: CDPSession;
	#failed: ((error: Error) => void) | undefined;

	private constructor(page: Page, cdp: CDPSession) {
		this.#page = page;
		this.#cdp = cdp;
	}

	/**
	 * Loads the publisher into the extension page, gives it its line to Node, and starts
	 * loading the mediasoup device for the router.
	 */
	static async load(page: Page, routerRtpCapabilities: Record<string, unknown>, signals: PublisherSignals): Promise<PublisherBridge> {
		const [cdp, source] = await Promise.all([page.createCDPSession(), publisherScript()]);
		await Promise.all([
			page.exposeFunction(SIGNAL_BINDING, async (method: string, payload: never) => {
				if (method === 'connect') return signals.connect(payload);
				if (method === 'produce') return signals.produce(payload);
				throw new Error(`unknown signal ${method}`);
			}),
			page.evaluate(source),
		]);
		const bridge = new PublisherBridge(page, cdp);
		// NOTE: not awaited: the device loads while the tab is being set up; start() waits for it.
		bridge.#call('load', routerRtpCapabilities).catch(() => undefined);
		return bridge;
	}

	capture(options: CaptureOptions): Promise<Result<'capture'>> {
		return this.#call('capture', options);
	}

	start(options: CaptureOptions): Promise<Result<'start'>> {
		return this.#call('start', options);
	}

	switchTab(options: Parameters<PublisherPageApi['switchTab']>[0]): Promise<{ tabId: number; ms: number }> {
		return this.#call('switchTab', options);
	}

	stats(rendition: Rendition): Promise<CaptureStats> {
		return this.#call('stats', rendition);
	}

	maskStats(): Promise<MaskStats> {
		return this.#call('maskStats');
	}

	/** A small JPEG of the masked rendition, base64, or null (see PublisherPageApi.thumbnail). */
	thumbnail(width: number): Promise<string | null> {
		return this.#call('thumbnail', width);
	}

	/**
	 * Tells the compositor something about masking. Fire-and-forget on the page's own CDP
	 * session, which keeps messages in order: this is the hot path from the detector's
	 * report to the compositor.
	 */
	mask(message: MaskMessage): void {
		// NOTE: JSON is a JavaScript expression; the message holds only numbers, strings and
		// booleans that Node validated.
		this.#cdp
			.send('Runtime.evaluate', { expression: `globalThis.${PUBLISHER_GLOBAL}.mask(${JSON.stringify(message)})` })
			.then((result) => {
				if (result.exceptionDetails) this.#failed?.(new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text));
			})
			.catch((error: Error) => this.#failed?.(error));
	}

	/** Called when a fire-and-forget message failed (the page crashed or closed). */
	onFailure(listener: (error: Error) => void): void {
		this.#failed = listener;
	}

	#call<M extends Method>(method: M, ...args: Parameters<PublisherPageApi[M]>): Promise<Result<M>> {
		return this.#page.evaluate(
			(global, name, callArgs) => {
				const api = (globalThis as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[global]!;
				return api[name]!(...callArgs);
			},
			PUBLISHER_GLOBAL,
			method,
			args as unknown[],
		) as Promise<Result<M>>;
	}
}
