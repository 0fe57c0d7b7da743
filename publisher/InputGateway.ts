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
/**
 * How many checked inputs an agent may send: a burst, refilled per second. More is dropped
 * (each is a check in the page: a flood would slow the page for the customer).
 */
export const CHECK_BURST = 120;
export const CHECKS_PER_SECOND = 60;
/** Check times kept between two reads. */
const MAX_SAMPLES = 5000;

/** Per-participant gesture state: what of the current gesture was refused. */
interface Gesture {
	/** Buttons whose press was refused: their release is dropped too. */
	refusedButtons: Set<string>;
	/** Keys (normalized, see {@link keyName}) whose keydown was refused: their keyup is dropped too. */
	refusedKeys: Set<string>;
	/** The touch sequence was refused: dropped until it ends. */
	refusedTouch: boolean;
	/** Touch points down now (id → where, normalized), for checking new ones and releases. */
	touches: Map<number, { x: number; y: number }>;
	/** Whether the page has this participant's touch points down (a touchStart was sent, no end yet). */
	live: boolean;
	/** Checks this participant may still send now, and when that was counted (ms). */
	budget: number;
	budgetAt: number;
}

/**
 * A key as the page will act on it: Enter however it is named (`\r`, `\n`, the numpad's),
 * Space likewise; other keys as they are.
 */
export function keyName(key: string, code: string): string {
	if (key === 'Enter' || key === '\r' || key === '\n' || code === 'Enter' || code === 'NumpadEnter') return 'Enter';
	if (key === ' ' || key === 'Spacebar' || code === 'Space') return ' ';
	return key;
}

/**
 * What of an agent's message must be checked before it is sent: nothing for moves, wheel
 * and releases of other keys than Enter and Space; every new finger of a touch; a touch's
 * release where its fingers are.
 */
export function attemptsOf(message: InputMessage, viewport: { width: number; height: number }, touches: ReadonlyMap<number, { x: number; y: number }> = new Map()): Attempt[] {
	// NOTE: clamped as toCdpCommands clamps them, so the check looks where the input lands.
	const at = (x: number, y: number) => ({ x: Math.min(viewport.width - 1, Math.max(0, x * viewport.width)), y: Math.min(viewport.height - 1, Math.max(0, y * viewport.height)) });
	const press = (x: number, y: number): Attempt => ({ kind: 'click', ...at(x, y), key: '', alt: false });
	switch (message.type) {
		case 'pointer/down':
		case 'pointer/up':
			return [{ kind: 'click', ...at(message.x, message.y), key: '', alt: (message.modifiers & ALT) !== 0 }];
		case 'touch/start':
		case 'touch/move':
			return message.touches.filter((t) => !touches.has(t.id)).map((t) => press(t.x, t.y));
		case 'touch/end':
		case 'touch/cancel':
			return [...touches.values()].map((t) => press(t.x, t.y));
		case 'key/down':
		case 'key/up': {
			const key = keyName(message.key, message.code);
			if (message.type === 'key/up' && key !== 'Enter' && key !== ' ') return [];
			return [{ kind: 'key', x: 0, y: 0, key, alt: (message.modifiers & ALT) !== 0 }];
		}
		case 'text/insert':
			// NOTE: a line break inserted into a field does what Enter does.
			return [/[\r\n]/.test(message.text) ? { kind: 'key', x: 0, y: 0, key: 'Enter', alt: false } : { kind: 'text', x: 0, y: 0, key: '', alt: false }];
		default:
			return [];
	}
}

export class InputGateway {
	readonly #page: GatewayPage;
	readonly #viewport: { width: number; height: number };
	readonly #onRefused: (refusal: Refusal) => void;
	readonly #onDropped: () => void;
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
	/** How long each check took in the page itself, ms. */
	#pageMs: number[] = [];
	/** The agent whose input the guard was last armed for. */
	#lastAgent: string | undefined;

	constructor(page: GatewayPage, viewport: { width: number; height: number }, onRefused: (refusal: Refusal) => void, onDropped: () => void = () => undefined) {
		this.#page = page;
		this.#viewport = viewport;
		this.#onRefused = onRefused;
		this.#onDropped = onDropped;
	}

	/**
	 * Takes one message of a participant: `commands` are what it becomes in CDP. Sent at
	 * once when nothing waits and no check is due; else queued behind what waits.
	 */
	submit(participantId: string, sender: Sender, message: InputMessage, commands: CdpCommand[], seq: number): void {
		if (this.#closed || commands.length === 0) return;
		const gesture = this.#gesture(participantId);
		const checking = sender === 'agent' && this.#enforcing;
		const attempts = checking ? attemptsOf(message, this.#viewport, gesture.touches) : [];
		if (checking && (message.type === 'touch/end' || message.type === 'touch/cancel') && gesture.touches.size === 0 && !gesture.refusedTouch) {
			// NOTE: an agent's release with no touch of its own down would lift the customer's fingers.
			return;
		}
		if (attempts.length > 0 && !this.#spend(gesture)) {
			// NOTE: dropped like a refused input (the rest of its gesture too), but not reported.
			if (message.type === 'pointer/down') gesture.refusedButtons.add(message.button);
			if (message.type === 'key/down') gesture.refusedKeys.add(keyName(message.key, message.code));
			this.#onDropped();
			return;
		}
		this.#trackTouches(gesture, message);
		if (this.#queued === 0 && attempts.length === 0 && sender === this.#sender) {
			if (this.#dropped(gesture, message)) return;
			this.#sent(gesture, message, commands);
			return;
		}
		this.#queued++;
		this.#queue = this.#queue
			.then(() => this.#process(participantId, sender, message, commands, attempts, gesture, seq))
			.catch(() => undefined)
			.finally(() => this.#queued--);
	}

	/**
	 * How long each check took since the last call, ms: Node's round trip to the page and
	 * back, and the page's own part of it; for the policy bench.
	 */
	takeCheckTimes(): { roundTrip: number[]; page: number[] } {
		const taken = { roundTrip: this.#checkMs, page: this.#pageMs };
		this.#checkMs = [];
		this.#pageMs = [];
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

	async #process(participantId: string, sender: Sender, message: InputMessage, commands: CdpCommand[], attempts: Attempt[], gesture: Gesture, seq: number): Promise<void> {
		if (this.#closed) return;
		if (this.#dropped(gesture, message)) return;
		if (sender !== this.#sender) {
			// NOTE: the page handles the previous sender's input before the guard switches;
			// an agent's check arms the guard for the agent, else it is told here.
			await Promise.allSettled([...this.#inFlight]);
			if (sender === 'customer' || attempts.length === 0 || !this.#enforcing) await this.#page.sender(this.#enforcing ? sender : 'customer');
			this.#sender = sender;
		}
		for (const attempt of attempts) {
			let verdict: Verdict;
			const started = performance.now();
			try {
				verdict = await this.#page.check(attempt, seq);
			} catch {
				verdict = { refused: 'unseen' };
			}
			if (this.#checkMs.length < MAX_SAMPLES) {
				this.#checkMs.push(performance.now() - started);
				if (verdict.ms !== undefined) this.#pageMs.push(verdict.ms);
			}
			if (this.#closed) return;
			this.#lastAgent = participantId;
			if (verdict.refused) {
				this.#refuse(participantId, message, attempt, verdict.refused, gesture);
				return;
			}
		}
		this.#sent(gesture, message, commands);
	}

	/** Sends a message's commands, and notes whether the participant's touch points are down. */
	#sent(gesture: Gesture, message: InputMessage, commands: CdpCommand[]): void {
		if (message.type === 'touch/start' || message.type === 'touch/move') gesture.live = true;
		if (message.type === 'touch/end' || message.type === 'touch/cancel') gesture.live = false;
		this.#sendAll(commands);
	}

	/** Takes one check from the participant's budget; false when it is spent. */
	#spend(gesture: Gesture): boolean {
		const now = Date.now();
		gesture.budget = Math.min(CHECK_BURST, gesture.budget + ((now - gesture.budgetAt) / 1000) * CHECKS_PER_SECOND);
		gesture.budgetAt = now;
		if (gesture.budget < 1) return false;
		gesture.budget -= 1;
		return true;
	}

	/** Keeps where each finger of a participant is. */
	#trackTouches(gesture: Gesture, message: InputMessage): void {
		if (message.type === 'touch/start' || message.type === 'touch/move') {
			gesture.touches.clear();
			for (const t of message.touches) gesture.touches.set(t.id, { x: t.x, y: t.y });
		} else if (message.type === 'touch/end' || message.type === 'touch/cancel') {
			gesture.touches.clear();
		}
	}

	/** Whether a message belongs to a gesture already refused (and so is dropped). */
	#dropped(gesture: Gesture, message: InputMessage): boolean {
		switch (message.type) {
			case 'pointer/up':
				return gesture.refusedButtons.delete(message.button);
			case 'key/up':
				return gesture.refusedKeys.delete(keyName(message.key, message.code));
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
		if (message.type === 'key/down') gesture.refusedKeys.add(keyName(message.key, message.code));
		if (message.type.startsWith('touch/')) {
			// NOTE: fingers already down are lifted without a tap (a cancel), and the rest of
			// the sequence is dropped.
			if (gesture.live) this.#sendAll([{ method: 'Input.dispatchTouchEvent', params: { type: 'touchCancel', touchPoints: [] } }]);
			gesture.live = false;
			gesture.refusedTouch = message.type === 'touch/start' || message.type === 'touch/move';
		}
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
			gesture = { refusedButtons: new Set(), refusedKeys: new Set(), refusedTouch: false, touches: new Map(), live: false, budget: CHECK_BURST, budgetAt: Date.now() };
			this.#gestures.set(participantId, gesture);
		}
		return gesture;
	}
}
