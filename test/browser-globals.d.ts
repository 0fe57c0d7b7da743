/** The `window.alongside` hook of the web apps, as tests and benchmarks see it. */
interface Window {
	alongside?: {
		state(): Record<string, any>;
		send(message: Record<string, unknown>): boolean;
		sendRaw(label: string, text: string): boolean;
		annotate(message: Record<string, unknown>): boolean;
		strokeShown(by: string, stroke: number, timeoutMs?: number): Promise<number | null>;
		stats(): Promise<{ codec: string | null; decoder: string | null; framesDecoded: number; frameWidth: number; frameHeight: number } | null>;
		readonly video: HTMLVideoElement | null;
	};
}
