/**
 * `window.alongside`: the tiny, always-on hook that end-to-end tests and the latency
 * benchmark drive the apps through. Keep it small and stable.
 */
import { InputMessage } from '../../../signaling/protocol';
import type { VideoStats } from './media';
import type { Session } from './session.svelte';

export interface AlongsideHook {
	/** Plain snapshot of the session state. */
	state: () => ReturnType<Session['snapshot']>;
	/** Validates and sends an input message on its channel; false if invalid or the channel is not open. */
	send: (msg: InputMessage) => boolean;
	/** Sends raw text on an input channel, unvalidated (tests of server-side validation). */
	sendRaw: (label: string, text: string) => boolean;
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

export function installTestHook(session: Session): void {
	window.alongside = {
		state: () => session.snapshot(),
		send: (msg) => {
			const parsed = InputMessage.safeParse(msg);
			return parsed.success && session.send(parsed.data);
		},
		sendRaw: (label, text) => session.sendRaw(label, text),
		stats: () => session.videoStats(),
		get video() {
			return session.video;
		},
	};
}
