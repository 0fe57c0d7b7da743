/**
 * The policy gateway in front of the cloud page's input (shared/ARCHITECTURE.md, "The
 * policy gateway"). Every participant's input passes here, in order. The customer's is
 * sent as it is. An agent's input that could activate something (a press, a release, a
 * tap, a key, text) is first checked by the detector in the page as it is now: what is
 * under the pointer or focused, judged against the lock rules and masked fields
 * (publisher/page/locks.ts). A refused input is not sent at all, nor the rest of its
 * gesture (the release of a refused press, the moves of a refused touch). The check also
 * arms the detector's guard for the agent, which cancels in the page what no check before
 * the input can see (implicit submission, a label's click, a control that moved).
 *
 * The guard must know whose input the page is handling. So when the sender changes, the
 * previous sender's input is waited for (CDP answers once the page has handled it) before
 * the guard is told; input of the same sender flows without waiting. Pointer moves and
 * wheel are never checked (no hit test per move).
 */
import type { AttemptKind, RefusalReason, Verdict } from '../protocol/detector.js';
import type { InputMessage } from '../protocol/wire.js';
import type { CdpCommand } from './input.js';

export type Sender = 'agent' | 'customer';

/** What the gateway needs from the page: the detector's check, its guard, and CDP input. */
export interface GatewayPage {
	/** The detector's verdict on an agent input about to be sent (refused: `unseen` when it cannot tell). */
	check(attempt: Attempt, seq: number): Promise<Verdict>;
	/** Tells the guard whose input comes next (resolves once it knows). */
	sender(who: Sender): Promise<void>;
	/** Sends one CDP input command; resolves once the page has handled it. */
	send(command: CdpCommand): Promise<unknown>;
}

/** An agent input to be checked: what kind, where (CSS px of the viewport), which key. */
export interface Attempt {
	kind: AttemptKind;
	x: number;
	y: number;
	key: string;
	/** Alt held (an access key). */
	alt: boolean;
}

export interface Refusal {
	participantId: string;
	reason: RefusalReason;
	kind: AttemptKind;
	/** Where the agent tried, normalized to the frame (0–1); absent for keys and text. */
	x?: number;
	y?: number;
}

const ALT = 1;
/** Check times kept between two reads. */
const MAX_SAMPLES = 5000;

/** Per-participant gesture state: what of the current gesture was refused. */
interface Gesture {
	/** Buttons whose press was refused: their release is dropped too. */
	refusedButtons: Set<string>;
	/** Keys whose keydown was refused: their keyup is dropped too. */
	refusedKeys: Set<string>;
	/** The touch sequence was refused at its start: dropped until it ends. */
	refusedTouch: boolean;
	/** Where the current touch is (normalized), for checking its release. */
	touch?: { x: number; y: number };
}

/**
 * What of an agent's message must be checked before it is sent, or null (moves, wheel,
 * releases of keys).
 */
export function attemptOf(message: InputMessage, viewport: { width: number; height: number }, gesture: { touch?: { x: number; y: number } } = {}): Attempt | null {
	const at = (x: number, y: number) => ({ x: x * viewport.width, y: y * viewport.height });
	switch (message.type) {
		case 'pointer/down':
		case 'pointer/up':
			return { kind: 'click', ...at(message.x, message.y), key: '', alt: (message.modifiers & ALT) !== 0 };
		case 'touch/start': {
			const first = message.touches[0];
			return first ? { kind: 'click', ...at(first.x, first.y), key: '', alt: false } : null;
		}
		case 'touch/end':
			return gesture.touch ? { kind: 'click', ...at(gesture.touch.x, gesture.touch.y), key: '', alt: false } : null;
		case 'key/down':
			return { kind: 'key', x: 0, y: 0, key: message.key, alt: (message.modifiers & ALT) !== 0 };
		case 'text/insert':
			return { kind: 'text', x: 0, y: 0, key: '', alt: false };
		default:
			return null;
	}
}

export class InputGateway {
	readonly #page: GatewayPage;
	readonly #viewport: { width: number; height: number };
	readonly #onRefused: (refusal: Refusal) => void;
	/** Whose input the guard was last told of. */
	#sender: Sender = 'customer';
	/** Input sent and not yet handled by the page. */
	#inFlight = new Set<Promise<unknown>>();
	/** Input waiting behind a check or a change of sender, in order. */
	#queue: Promise<void> = Promise.resolve();
	#queued = 0;
	readonly #gestures = new Map<string, Gesture>();
	#closed = false;
	#enforcing = true;
	#checkMs: number[] = [];
	/** The agent whose input the guard was last armed for. */
	#lastAgent: string | undefined;

	constructor(page: GatewayPage, viewport: { width: number; height: number }, onRefused: (refusal: Refusal) => void) {
		this.#page = page;
		this.#viewport = viewport;
		this.#onRefused = onRefused;
	}

	/**
	 * Takes one message of a participant: `commands` are what it becomes in CDP. Sent at
	 * once when nothing waits and no check is due; else queued behind what waits.
	 */
	submit(participantId: string, sender: Sender, message: InputMessage, commands: CdpCommand[], seq: number): void {
		if (this.#closed || commands.length === 0) return;
		const gesture = this.#gesture(participantId);
		if (message.type === 'touch/start' || message.type === 'touch/move') {
			const first = message.touches[0];
			if (first) gesture.touch = { x: first.x, y: first.y };
		}
		const attempt = sender === 'agent' && this.#enforcing ? attemptOf(message, this.#viewport, gesture) : null;
		if (message.type === 'touch/end' || message.type === 'touch/cancel') gesture.touch = undefined;
		if (this.#queued === 0 && !attempt && sender === this.#sender) {
			if (this.#dropped(gesture, message)) return;
			this.#sendAll(commands);
			return;
		}
		this.#queued++;
		this.#queue = this.#queue
			.then(() => this.#process(participantId, sender, message, commands, attempt, gesture, seq))
			.catch(() => undefined)
			.finally(() => this.#queued--);
	}

	/**
	 * How long each check took (Node's round trip to the page and back, ms) since the last
	 * call; for the policy bench.
	 */
	takeCheckTimes(): number[] {
		const taken = this.#checkMs;
		this.#checkMs = [];
		return taken;
	}

	/**
	 * Benches only (never reachable from a client or the configuration): with `false`, an
	 * agent's input is sent like the customer's, unchecked, to measure what the gateway costs.
	 */
	enforce(on: boolean): void {
		this.#enforcing = on;
	}

	/** The guard in the page cancelled an agent's input: it was the last agent whose input went through. */
	refusedInPage(reason: RefusalReason, kind: AttemptKind): void {
		if (this.#lastAgent !== undefined) this.#onRefused({ participantId: this.#lastAgent, reason, kind });
	}

	close(): void {
		this.#closed = true;
	}

	async #process(participantId: string, sender: Sender, message: InputMessage, commands: CdpCommand[], attempt: Attempt | null, gesture: Gesture, seq: number): Promise<void> {
		if (this.#closed) return;
		if (this.#dropped(gesture, message)) return;
		if (sender !== this.#sender) {
			// NOTE: the page handles the previous sender's input before the guard switches.
			await Promise.allSettled([...this.#inFlight]);
			if (sender === 'customer') await this.#page.sender('customer');
			this.#sender = sender;
		}
		if (attempt) {
			let verdict: Verdict;
			const started = performance.now();
			try {
				verdict = await this.#page.check(attempt, seq);
			} catch {
				verdict = { refused: 'unseen' };
			}
			if (this.#checkMs.length < MAX_SAMPLES) this.#checkMs.push(performance.now() - started);
			if (this.#closed) return;
			this.#lastAgent = participantId;
			if (verdict.refused) {
				this.#refuse(participantId, message, attempt, verdict.refused, gesture);
				return;
			}
		}
		this.#sendAll(commands);
	}

	/** Whether a message belongs to a gesture already refused (and so is dropped). */
	#dropped(gesture: Gesture, message: InputMessage): boolean {
		switch (message.type) {
			case 'pointer/up':
				return gesture.refusedButtons.delete(message.button);
			case 'key/up':
				return gesture.refusedKeys.delete(message.code || message.key);
			case 'touch/move':
				return gesture.refusedTouch;
			case 'touch/end':
			case 'touch/cancel': {
				const refused = gesture.refusedTouch;
				gesture.refusedTouch = false;
				return refused;
			}
			default:
				return false;
		}
	}

	#refuse(participantId: string, message: InputMessage, attempt: Attempt, reason: RefusalReason, gesture: Gesture): void {
		if (message.type === 'pointer/down') gesture.refusedButtons.add(message.button);
		if (message.type === 'key/down') gesture.refusedKeys.add(message.code || message.key);
		if (message.type === 'touch/start') gesture.refusedTouch = true;
		const where = attempt.kind === 'click' ? { x: attempt.x / this.#viewport.width, y: attempt.y / this.#viewport.height } : {};
		this.#onRefused({ participantId, reason, kind: attempt.kind, ...where });
	}

	#sendAll(commands: CdpCommand[]): void {
		for (const command of commands) {
			const sent = this.#page.send(command).catch(() => undefined);
			this.#inFlight.add(sent);
			void sent.finally(() => this.#inFlight.delete(sent));
		}
	}

	#gesture(participantId: string): Gesture {
		let gesture = this.#gestures.get(participantId);
		if (!gesture) {
			gesture = { refusedButtons: new Set(), refusedKeys: new Set(), refusedTouch: false };
			this.#gestures.set(participantId, gesture);
		}
		return gesture;
	}
}
