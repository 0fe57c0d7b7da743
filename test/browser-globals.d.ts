/** The `window.alongside` hook of the web apps, as tests and benchmarks see it. */
interface Window {
	alongside?: {
		state(): Record<string, any>;
		send(message: Record<string, unknown>): boolean;
		readonly video: HTMLVideoElement | null;
	};
}
