/**
 * The lock-bypass attempts: each way we know for an agent to activate a locked control
 * (test/locking/pages.ts) or use a masked field, played by the bypass suite
 * (test/locking.test.ts) and `npm run bench:policy`, as the agent (nothing may reach the
 * page) and as the customer (each must).
 */
import type { CloudBrowser } from '../../publisher/CloudBrowser.js';
import type { Refusal, Sender } from '../../publisher/InputGateway.js';
import type { InputMessage } from '../../protocol/wire.js';

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One attempt: what a participant does (given the element's place), and what activation it would record. */
export interface Attempt {
	name: string;
	/** The page's element the attempt aims at (see window.at), if any. */
	target?: string;
	/** Focus this element (by id) first, as the page would after a customer's click. */
	focus?: string;
	/** A script the page runs first (what the customer did before, say); may return a promise. */
	prepare?: string;
	/** What the customer's same attempt records (it must); the agent's must record none of these. */
	records: string[];
	/** Why the agent's attempt must be refused, where it matters (a part of the page checked through CDP, say). */
	reason?: string;
	play(send: (message: InputMessage) => void, x: number, y: number): Promise<void>;
}

export const click = (button: 'left' | 'middle' | 'right' = 'left', clickCount = 1, modifiers = 0) => async (send: (m: InputMessage) => void, x: number, y: number) => {
	for (let i = 1; i <= clickCount; i++) {
		send({ type: 'pointer/down', x, y, button, clickCount: i, modifiers });
		send({ type: 'pointer/up', x, y, button, clickCount: i, modifiers });
	}
};
export const key = (k: string, code = k, modifiers = 0) => async (send: (m: InputMessage) => void) => {
	send({ type: 'key/down', key: k, code, modifiers });
	send({ type: 'key/up', key: k, code, modifiers });
};
export const tap = (holdMs = 0) => async (send: (m: InputMessage) => void, x: number, y: number) => {
	send({ type: 'touch/start', touches: [{ id: 1, x, y }] });
	if (holdMs) await wait(holdMs);
	send({ type: 'touch/end', touches: [] });
};

/** Focuses the plain field of the cross-origin iframe (see LOCK_INNER). */
export const FOCUS_CROSS_PLAIN = `new Promise((resolve) => { const f = document.getElementById('cross'); f.focus(); f.contentWindow.postMessage('focus-plain', '*'); setTimeout(resolve, 150); })`;

/** Scrolls the page a little (CDP's hit test takes document coordinates, the input viewport ones). */
export const SCROLLED = `new Promise((resolve) => { scrollTo(0, 60); setTimeout(resolve, 100); })`;

export const ATTEMPTS: Attempt[] = [
	{ name: 'a click on "Buy now"', target: 'buy', records: ['buy'], play: click() },
	{ name: 'a double click', target: 'acquista', records: ['acquista-dbl'], play: click('left', 2) },
	{ name: 'a triple click', target: 'buy', records: ['buy'], play: click('left', 3) },
	{ name: 'a middle click (auxclick)', target: 'acquista', records: ['acquista-aux'], play: click('middle') },
	{ name: 'a click on a child of the button', target: 'acq-inner', records: ['acquista'], play: click() },
	{ name: 'a click on the label of a locked checkbox', target: 'acc-label', records: ['accept'], play: click() },
	{ name: 'a click on the locked checkbox itself', target: 'accept', records: ['accept'], play: click() },
	{ name: 'a press on a control that acts on pointerdown', target: 'confirm', records: ['confirm-pointerdown'], play: click() },
	{ name: 'a right click', target: 'confirm', records: ['confirm-mousedown'], play: click('right') },
	{ name: 'a tap on a link', target: 'delete', records: ['delete'], play: tap() },
	{ name: 'a long press', target: 'confirm', records: ['confirm-pointerdown'], play: tap(700) },
	{ name: 'Enter on the focused button', focus: 'buy', records: ['buy'], play: key('Enter') },
	{ name: 'Space on the focused button', focus: 'buy', records: ['buy'], play: key(' ', 'Space') },
	{ name: 'Enter in another field of the form (implicit submission)', focus: 'name', records: ['buy'], play: key('Enter') },
	{ name: 'Enter in a login form (submits a password)', focus: 'user', records: ['signin'], play: key('Enter') },
	{ name: 'Enter where the page turns the default button into "Buy now" as the key goes down', focus: 'swapin', records: ['swap-buy'], play: key('Enter') },
	{ name: 'a harmless button whose handler clicks "Buy now" (the same task)', target: 'relay', records: ['buy'], play: click() },
	{ name: 'an access key (Alt+Shift+K)', records: ['accesskey'], play: key('K', 'KeyK', 1 | 8) },
	{ name: 'a submit button outside its form (form= attribute)', target: 'outside', records: ['outside-form'], play: click() },
	{ name: 'a click on the submit button of a form with a password field', target: 'signin', records: ['signin'], play: click() },
	{ name: 'a button in an open shadow root', target: 'open', records: ['open-shadow'], play: click() },
	{ name: 'a button in a closed shadow root (hit-tested through CDP)', target: 'closed-locked', records: ['closed-shadow'], reason: 'purchase', play: click() },
	{ name: 'a button in a same-origin iframe', target: 'paga', records: ['iframe-paga'], play: click() },
	{ name: 'a button in a cross-origin iframe (another process: its own detector judges)', target: 'cross-pay', records: ['cross-pay'], reason: 'purchase', play: click() },
	{ name: 'the same, with the page scrolled', prepare: SCROLLED, target: 'cross-pay', records: ['cross-pay'], reason: 'purchase', play: click() },
	{
		name: 'a locked control that moves under the pointer between press and release',
		target: 'mover',
		records: ['underneath-up'],
		async play(send, x, y) {
			send({ type: 'pointer/down', x, y, button: 'left', clickCount: 1, modifiers: 0 });
			await wait(80);
			send({ type: 'pointer/up', x, y, button: 'left', clickCount: 1, modifiers: 0 });
		},
	},
	{
		name: 'ten rapid clicks',
		target: 'buy',
		records: ['buy'],
		async play(send, x, y) {
			for (let i = 0; i < 10; i++) await click()(send, x, y);
		},
	},
	{ name: 'a <div> made a button by script (no tag, role or onclick attribute)', target: 'divbuy', records: ['div-buy'], play: click() },
	{ name: 'a link made of an image whose alt text says "Buy now"', target: 'imgbuy', records: ['img-buy'], play: click() },
	{ name: 'a checkbox with a long label ("I have read and agree to …")', target: 'terms', records: ['terms'], play: click() },
	{ name: 'a submit button with an odd type ("submit ") in a password form', target: 'odd', records: ['odd'], play: click() },
	{ name: 'a button whose mouseup handler clicks "Buy now"', target: 'uprelay', records: ['buy'], play: click() },
	{ name: 'a bare Enter release on a button that acts on keyup', focus: 'kup', records: ['keyup-buy'], play: async (send) => send({ type: 'key/up', key: 'Enter', code: 'Enter', modifiers: 0 }) },
	{ name: 'Enter sent as "\\r" on the focused button', focus: 'buy', records: ['buy'], play: async (send) => send({ type: 'key/down', key: '\r', code: '', modifiers: 0 }) },
	{ name: 'a line break inserted as text in a field of the form (implicit submission)', focus: 'name', records: ['buy'], play: async (send) => send({ type: 'text/insert', text: '\n' }) },
	{
		name: 'a second finger on a locked control while the first is on nothing',
		target: 'confirm',
		records: ['confirm-pointerdown'],
		async play(send, x, y) {
			send({ type: 'touch/start', touches: [{ id: 1, x: 0.9, y: 0.9 }, { id: 2, x, y }] });
			await wait(60);
			send({ type: 'touch/end', touches: [] });
		},
	},
	{
		name: 'typing into a field of a cross-origin iframe (a payment field)',
		prepare: `new Promise((resolve) => { document.getElementById('cross').focus(); setTimeout(resolve, 100); })`,
		records: ['cross-typed'],
		reason: 'masked_field',
		play: key('4', 'Digit4'),
	},
	{
		name: 'Enter in a same-origin iframe after it navigated to a form whose default button pays',
		prepare: `new Promise((resolve) => { const f = document.getElementById('steps'); f.onload = () => { f.contentDocument.getElementById('email').focus(); setTimeout(resolve, 150); }; f.contentWindow.location.href = '/lock-step2'; })`,
		records: ['paynow', 'step2-submit'],
		play: key('Enter'),
	},
	{ name: 'text inserted into a masked field', focus: 'card', records: ['card-changed'], play: async (send) => send({ type: 'text/insert', text: '9' }) },
	{ name: 'a key typed into a masked password field', focus: 'pw', records: ['pw-changed'], play: key('x', 'KeyX') },
	{ name: 'Backspace in a masked field', focus: 'card', records: ['card-changed'], play: key('Backspace') },
	{ name: 'a click into a masked field (to select or drag its value)', target: 'card', records: ['card-focused'], play: click('left', 2) },
	{
		name: 'select-all and copy in a plain field of a cross-origin iframe (hidden from the agent whole)',
		prepare: FOCUS_CROSS_PLAIN,
		records: ['cross-copied'],
		reason: 'masked_field',
		play: async (send) => {
			send({ type: 'text/insert', text: 'abc' });
			await key('a', 'KeyA', 2)(send);
			await key('c', 'KeyC', 2)(send);
		},
	},
	{ name: 'select-all and copy in a masked field', focus: 'card', records: ['card-copied'], play: async (send) => { await key('a', 'KeyA', 2)(send); await key('c', 'KeyC', 2)(send); } },
];

/** Extra recorders for what has no handler in the page (masked fields changing, copying). */
export const RECORDERS = `(() => {
	const card = document.getElementById('card'), pw = document.getElementById('pw');
	card.oninput = () => hit('card-changed');
	pw.oninput = () => hit('pw-changed');
	card.onfocus = () => hit('card-focused');
	card.oncopy = () => hit('card-copied');
	document.addEventListener('copy', () => hit('card-copied'));
})()`;


/**
 * Plays one attempt on a fresh load of the lock page at `url`: as `sender`, with input as
 * participant `participantId`. Returns what the page recorded and the refusals reported.
 */
export async function playAttempt(cloud: CloudBrowser, url: string, attempt: Attempt, sender: Sender, participantId: string): Promise<{ hits: string[]; refused: Refusal[] }> {
	const refused: Refusal[] = [];
	const onRefused = (refusal: Refusal) => refused.push(refusal);
	await cloud.navigate(url);
	// NOTE: its frames loaded too (a cross-origin one waits for its detector first).
	await cloud.page.waitForFunction(`document.readyState === 'complete'`, { timeout: 10_000 });
	await cloud.page.evaluate(RECORDERS);
	await wait(150);
	if (attempt.prepare) await cloud.page.evaluate(attempt.prepare);
	// NOTE: the caret in the middle of a field, so that Backspace changes it.
	if (attempt.focus) await cloud.page.evaluate(`(() => { const el = document.getElementById(${JSON.stringify(attempt.focus)}); el.focus(); try { el.setSelectionRange(2, 2); } catch {} })()`);
	const [x, y] = attempt.target ? ((await cloud.page.evaluate(`window.at(${JSON.stringify(attempt.target)})`)) as [number, number]) : [0.5, 0.95];
	cloud.on('refused', onRefused);
	try {
		await attempt.play((message) => cloud.inject(participantId, message, sender), x, y);
		await wait(400);
	} finally {
		cloud.off('refused', onRefused);
	}
	return { hits: (await cloud.page.evaluate('window.hits')) as string[], refused };
}
