/**
 * `window.alongside`: the tiny, always-on hook that end-to-end tests and the latency
 * benchmark drive the apps through. Keep it small and stable.
 */
import { AnnotateMessage } from '../../../protocol/annotations';
import { InputMessage } from '../../../protocol/wire';
import type { VideoStats } from './media';
import type { Session } from './session.svelte';

export interface AlongsideHook {
	/** Plain snapshot of the current session's state; `status: 'idle'` while there is none. */
	state: () => ReturnType<Session['snapshot']> | { status: 'idle' };
	/** Validates and sends an input message on its channel; false if invalid or the channel is not open. */
	send: (msg: InputMessage) => boolean;
	/** Sends raw text on an input channel, unvalidated (tests of server-side validation). */
	sendRaw: (label: string, text: string) => boolean;
	/** Validates and sends an annotation message (a stroke, a pulse); false if invalid or this viewer cannot draw. */
	annotate: (msg: AnnotateMessage) => boolean;
	/**
	 * Resolves (performance.timeOrigin + now, ms) at the first animation frame after the
	 * stroke `stroke` of participant `by` reached this viewer (it is drawn by then), or null
	 * after `timeoutMs`. For the latency bench.
	 */
	strokeShown: (by: string, stroke: number, timeoutMs?: number) => Promise<number | null>;
	/** Receive-side video statistics from WebRTC (codec, decoder, frames). */
	stats: () => Promise<VideoStats | null>;
	/** The stage's <video>, once mounted. */
	readonly video: HTMLVideoElement | null;
}

declare global {
	interface Window {
		alongside?: AlongsideHook;
	}
}

/**
 * Installs the hook. `current` returns the session on screen, if any: the apps create a
 * new Session for every session joined, so the hook follows whichever is current.
 */
export function installTestHook(current: () => Session | null): void {
	window.alongside = {
		state: () => current()?.snapshot() ?? { status: 'idle' },
		send: (msg) => {
			const parsed = InputMessage.safeParse(msg);
			return parsed.success && (current()?.send(parsed.data) ?? false);
		},
		sendRaw: (label, text) => current()?.sendRaw(label, text) ?? false,
		annotate: (msg) => {
			const parsed = AnnotateMessage.safeParse(msg);
			return parsed.success && (current()?.annotate(parsed.data) ?? false);
		},
		strokeShown: (by, stroke, timeoutMs = 5000) =>
			new Promise((resolve) => {
				const notes = current()?.annotations;
				if (!notes) return resolve(null);
				const timer = setTimeout(() => {
					stop();
					resolve(null);
				}, timeoutMs);
				const stop = notes.observe((msg) => {
					if (msg.type !== 'annotation/start' || msg.by !== by || msg.stroke !== stroke) return;
					stop();
					clearTimeout(timer);
					requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
				});
			}),
		stats: () => current()?.videoStats() ?? Promise.resolve(null),
		get video() {
			return current()?.video ?? null;
		},
	};
}
