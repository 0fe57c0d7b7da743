/**
 * Pages that show sensitive values in one distinctive colour (magenta, #ff00ff, used for
 * nothing else), and what a participant does on each: the mask-leak test and
 * `npm run bench:masking` play them and look for that colour in every frame of the masked
 * rendition the agent receives (none may show it) and of the customer's clear one (which
 * must, or the check could not fail).
 */
import type { InputMessage } from '../../protocol/wire.js';
import { statementPdf } from './pdf.js';

/** The colour sensitive values are painted in. */
export const SENSITIVE_RGB: [number, number, number] = [255, 0, 255];

/** What a scenario may do to the cloud browser while frames are checked. */
export interface Driver {
	/** Input as a participant sends it (coordinates as fractions of the viewport). */
	input(message: InputMessage): void;
	/** Runs a script in the cloud page (what the page itself might do). */
	evaluate(script: string): Promise<unknown>;
	wait(ms: number): Promise<void>;
	/** Gives the page a device's shape (as the customer's phone joining, rotating, or the agent's choice would). */
	shape(name: 'phone' | 'phone-landscape' | 'tablet' | 'desktop'): Promise<void>;
}

export interface Scenario {
	name: string;
	path: string;
	/** Plays the scenario; frames are checked meanwhile. */
	play(driver: Driver, urls: { crossOrigin: string }): Promise<void>;
}

const STYLE = `<style>
body{margin:0;font:22px/1.5 "DejaVu Sans",system-ui,sans-serif;background:#fff;color:#222}
.s{color:#f0f;font-weight:700}
input.s,textarea.s,select.s{color:#f0f;font:700 22px "DejaVu Sans",sans-serif;border:1px solid #888;padding:4px}
input,textarea,[contenteditable]{caret-color:#333}
.partial{color:#333;font-weight:700}
</style>`;

const page = (body: string, script = '') => `<!doctype html><html><head><meta charset="utf-8">${STYLE}</head><body>${body}<script>${script}</script></body></html>`;

const rows = (n: number) =>
	Array.from(
		{ length: n },
		(_, i) => `<section style="padding:10px 20px;border-bottom:1px solid #ddd">
<p>Row ${i}: paid with <span class="s">4111 1111 1111 1111</span> for order ${1000 + i}.</p>
<p>Split over spans: <span class="s">4012 </span><span class="s">8888 8888 </span><b class="s">1881</b> · tax code <i class="s">RSSMRA85T10A562S</i></p>
<p>Password <input type="password" class="s" value="hunter2-secret" size="14"> IBAN <span class="s">GB82 WEST 1234 5698 7654 32</span></p>
</section>`,
	).join('');

const SCROLL = page(`
<header style="position:sticky;top:0;background:#e8ecf8;padding:8px 20px;z-index:2">Account <span class="s">IT60 X054 2811 1010 0000 0123 456</span></header>
<div id="nest" style="height:200px;width:620px;overflow:auto;border:1px solid #999;margin:10px 20px">${Array.from({ length: 25 }, (_, i) => `<p style="margin:6px">Nested ${i} <span class="s">DE89 3704 0044 0532 0130 00</span></p>`).join('')}</div>
${rows(30)}
<footer style="position:fixed;bottom:16px;right:20px;background:#e9f5ea;padding:8px">Saved card <span class="s">5500 0000 0000 0004</span></footer>`);

const MOTION = page(
	`
<style>
@keyframes slide{from{transform:translateX(0)}to{transform:translateX(640px)}}
@keyframes grow{from{width:200px}to{width:900px}}
.slide{animation:slide 1.1s ease-in-out infinite alternate;display:inline-block;background:#fff8e0;padding:6px}
.grow{animation:grow 1.7s linear infinite alternate;overflow:hidden;white-space:nowrap;background:#eef;padding:6px}
#hop{position:absolute;left:40px;top:420px;transition:top .25s,left .25s;background:#eef7ff;padding:6px}
#js{position:absolute;top:540px;background:#f4eefc;padding:6px}
</style>
<div id="banner" style="display:none;height:80px;background:#fde">Cookie banner</div>
<p style="margin:20px">Animated: <span class="slide"><span class="s">4111 1111 1111 1111</span></span></p>
<div class="grow" style="margin:20px">Growing box with <span class="s">IT60 X054 2811 1010 0000 0123 456</span> inside</div>
<div id="hop">Hopping <span class="s">RSSMRA85T10A562S</span></div>
<div id="js">Moved by script <span class="s">5500 0000 0000 0004</span></div>
<dialog id="dlg"><p>Confirm payment with <span class="s">4012 8888 8888 1881</span>?</p></dialog>`,
	`
const hop = document.getElementById('hop');
let k = 0;
setInterval(() => { k++; hop.style.top = (k % 2 ? 300 : 440) + 'px'; hop.style.left = (k % 3) * 200 + 40 + 'px'; }, 400);
setInterval(() => { const b = document.getElementById('banner'); b.style.display = b.style.display === 'none' ? 'block' : 'none'; }, 700);
const js = document.getElementById('js');
(function move(t) { js.style.left = (420 + Math.sin(t / 300) * 380) + 'px'; requestAnimationFrame(move); })(0);
const dlg = document.getElementById('dlg');
setInterval(() => { dlg.showModal(); setTimeout(() => dlg.close(), 600); }, 1500);
`,
);

const FIELDS = page(
	`
<div style="padding:16px 20px;display:grid;grid-template-columns:260px 420px;gap:10px 16px;align-items:center">
<label for="cc">Card number</label><input id="cc" class="s" autocomplete="cc-number" value="4111111111111111">
<label for="pw">Password</label><span><input id="pw" class="s" type="password" value="hunter2-secret"> <button id="show">Show</button></span>
<label for="notes">Notes (set by script)</label><input id="notes" class="s" name="notes">
<label for="typed">Type a card here</label><input id="typed" class="partial" name="x" autocomplete="off">
<label for="otp">Code</label><input id="otp" class="s" autocomplete="one-time-code" value="482913">
<label for="cf">Codice fiscale</label><input id="cf" class="s" name="codice_fiscale" value="RSSMRA85T10A562S">
<label for="exp">Expiry month</label><select id="exp" class="s" autocomplete="cc-exp-month"><option>01</option><option selected>12</option></select>
<label for="ta">Message</label><textarea id="ta" class="s" rows="2">Please refund IT60 X054 2811 1010 0000 0123 456</textarea>
<label>Editable</label><div id="ce" class="partial" contenteditable="true" style="border:1px solid #888;min-height:32px"></div>
</div>
<p style="margin:0 20px">You typed: <span id="echo" class="partial"></span></p>
<div id="added" style="padding:0 20px"></div>`,
	`
const pw = document.getElementById('pw');
document.getElementById('show').onclick = () => { pw.type = pw.type === 'password' ? 'text' : 'password'; };
setInterval(() => { pw.type = pw.type === 'password' ? 'text' : 'password'; }, 600);
const notes = document.getElementById('notes');
let n = 0;
setInterval(() => { notes.value = n++ % 2 ? '' : '5500 0000 0000 0004'; }, 500);
// NOTE: a card number being typed is sensitive from its seventh digit (the first six may
// be shown): only then is it painted in the sensitive colour.
const mark = (el, text) => { el.className = (text.match(/\\d/g) || []).length >= 7 ? 's' : 'partial'; };
const typed = document.getElementById('typed');
typed.addEventListener('input', () => {
	const echo = document.getElementById('echo');
	echo.textContent = typed.value.replace(/\\D/g, '').replace(/(\\d{4})(?=\\d)/g, '$1 ');
	mark(typed, typed.value);
	mark(echo, echo.textContent);
});
const ce = document.getElementById('ce');
const digits = '4012888888881881';
let c = 0;
setInterval(() => { c = (c + 1) % (digits.length + 4); ce.textContent = digits.slice(0, Math.min(c, digits.length)).replace(/(\\d{4})(?=\\d)/g, '$1 '); mark(ce, ce.textContent); }, 120);
const added = document.getElementById('added');
let a = 0;
setInterval(() => {
	if (a++ % 6 === 5) { added.textContent = ''; return; }
	const input = document.createElement('input');
	input.className = 's'; input.setAttribute('autocomplete', 'cc-csc'); input.value = '737'; input.size = 4;
	added.append(input, ' ');
}, 300);
`,
);

const FRAMES = (crossOrigin: string) =>
	page(
		`
<div style="display:flex;gap:16px;padding:12px 20px;flex-wrap:wrap">
<iframe id="same" style="width:560px;height:220px;border:2px solid #888" srcdoc="${`<style>body{font:20px sans-serif;margin:8px}.s{color:#f0f;font-weight:700}</style>${Array.from({ length: 14 }, (_, i) => `<p>Inner ${i} <span class=s>4111 1111 1111 1111</span></p>`).join('')}`.replace(/"/g, '&quot;')}"></iframe>
<iframe id="cross" style="width:560px;height:220px;border:2px solid #888" src="${crossOrigin}/inner"></iframe>
<open-card style="display:block;width:560px;border:1px dashed #999;padding:6px"></open-card>
<closed-card style="display:block;width:560px;border:1px dashed #999;padding:6px"></closed-card>
</div>
<p style="margin:20px">Below the frames: a plain <span class="s">GB82 WEST 1234 5698 7654 32</span>.</p>
<div style="height:1600px"></div>`,
		`
customElements.define('open-card', class extends HTMLElement { constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML = '<style>.s{color:#f0f;font-weight:700}</style>Open shadow <span class=s>IT60 X054 2811 1010 0000 0123 456</span>'; } });
customElements.define('closed-card', class extends HTMLElement { constructor() { super(); this.attachShadow({ mode: 'closed' }).innerHTML = '<style>.s{color:#f0f;font-weight:700}</style>Closed shadow <span class=s>5500 0000 0000 0004</span>'; } });
// The main thread stalls now and then (600 ms), as heavy pages do.
setInterval(() => { const end = Date.now() + 600; while (Date.now() < end); }, 2000);
`,
	);

/**
 * Things that change size: a sidebar that opens and closes (the column beside it rewraps,
 * so a card number breaks over two lines and back), a panel resized by script and by its
 * own ResizeObserver, a textarea dragged bigger, text zoomed with CSS `zoom` and font size,
 * and a details element that opens above the values and pushes them down.
 */
const RESIZE = page(
	`
<style>
#layout{display:flex;gap:12px;padding:12px 20px}
#side{width:120px;flex:none;background:#eef3ea;padding:8px;transition:width .2s}
#main{flex:1;min-width:0}
#col{width:330px;border:1px solid #ccc;padding:6px}
#panel{border:1px dashed #999;padding:6px;overflow:hidden}
#zoomed{display:inline-block;padding:4px;background:#fdf6e3}
</style>
<details id="more"><summary>More</summary><div style="height:140px;background:#f4f4f4">Extra details</div></details>
<div id="layout">
<nav id="side">Menu</nav>
<div id="main">
<p id="col">Pay to <span class="s">IT60 X054 2811 1010 0000 0123 456</span> with card <span class="s">4111 1111 1111 1111</span> before Friday.</p>
<div id="panel" style="width:300px;height:60px">Panel <span class="s">RSSMRA85T10A562S</span></div>
<p><span id="zoomed">Zoomed <span class="s">5500 0000 0000 0004</span></span></p>
<textarea id="ta" class="s" style="width:240px;height:40px">Refund GB82 WEST 1234 5698 7654 32</textarea>
</div>
</div>`,
	`
const side = document.getElementById('side');
const col = document.getElementById('col');
const panel = document.getElementById('panel');
const zoomed = document.getElementById('zoomed');
const ta = document.getElementById('ta');
const more = document.getElementById('more');
let k = 0;
setInterval(() => {
	k++;
	side.style.width = (k % 2 ? 520 : 120) + 'px';
	col.style.width = (k % 3 === 0 ? 200 : k % 3 === 1 ? 330 : 640) + 'px';
	ta.style.width = (k % 2 ? 520 : 240) + 'px';
	ta.style.height = (k % 2 ? 110 : 40) + 'px';
	zoomed.style.zoom = String(k % 4 === 0 ? 1.6 : k % 4 === 2 ? 0.8 : 1);
	zoomed.style.fontSize = (k % 3 === 0 ? 30 : 22) + 'px';
}, 330);
setInterval(() => { more.open = !more.open; }, 470);
// The panel grows by script; its observer shrinks it back (a layout loop some widgets have).
new ResizeObserver(([entry]) => { if (entry.contentRect.width > 560) requestAnimationFrame(() => (panel.style.width = '300px')); }).observe(panel);
(function grow() { panel.style.width = (parseFloat(panel.style.width) + 23) + 'px'; panel.style.height = (60 + (parseFloat(panel.style.width) - 300) / 4) + 'px'; setTimeout(grow, 50); })();
`,
);

/**
 * A responsive page, as most sites are: on a narrow viewport its columns stack and the
 * values move; a phone's user agent reloads it. The scenario turns the page into a phone, a
 * rotated phone, a tablet and back to a desktop, while the values are on screen.
 */
const SHAPES = page(
	`
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
#grid{display:grid;grid-template-columns:1fr 1fr 1fr;gap:16px;padding:16px}
.card{border:1px solid #ccc;padding:10px;border-radius:8px}
@media (max-width: 700px){#grid{grid-template-columns:1fr}.card{padding:4px}body{font-size:18px}}
@media (orientation: landscape) and (max-height: 500px){#grid{grid-template-columns:1fr 1fr}}
</style>
<div id="grid">
<div class="card">Card <span class="s">4111 1111 1111 1111</span></div>
<div class="card">IBAN <span class="s">IT60 X054 2811 1010 0000 0123 456</span></div>
<div class="card">Tax code <span class="s">RSSMRA85T10A562S</span></div>
<div class="card"><label>Card <input class="s" autocomplete="cc-number" value="5500 0000 0000 0004" size="19"></label></div>
</div>`,
);

/** The same page without a viewport meta tag: on a phone it is laid out 980 px wide and shown zoomed out, as desktop sites are. */
const SHAPES_WIDE = SHAPES.replace('<meta name="viewport" content="width=device-width, initial-scale=1">', '');

/** The cross-origin iframe's page (served from another origin). */
export const INNER_PAGE = page(`<p style="margin:8px">Another origin: <span class="s">4111 1111 1111 1111</span></p><p class="s" style="margin:8px">RSSMRA85T10A562S</p>`);

/** Fixture pages by path; `crossOrigin` is the other origin's base URL. */
/**
 * Values no built-in rule hides (a balance, a security answer, a reference code), and a
 * password field: the company's own rules (test/masking.test.ts) must hide the first three,
 * and switching the built-in password rule off must show the last.
 */
export const RULES_PAGE = page(`
<style>@keyframes pulse{from{width:10%}to{width:90%}}</style>
<div style="height:6px;background:#4a7;animation:pulse 1s linear infinite alternate"></div>
<div style="padding:20px">
<p>Balance: <span id="balance" class="s">€ 12.345,67</span></p>
<p><label>Mother's maiden name <input name="answer" class="s" value="Rossi" size="10"></label></p>
<p>Your reference: <b class="s">ACME-123456</b> (keep it safe)</p>
<p>Password <input type="password" class="s" value="hunter2-secret" size="14"></p>
<p><button id="buy">Buy now</button> <button id="details">Details</button></p>
<div style="height:1200px"></div>
</div>`);

export function scenarioPages(crossOrigin: string): Record<string, string | { contentType: string; body: Buffer }> {
	return {
		'/mask/scroll': SCROLL,
		'/mask/motion': MOTION,
		'/mask/resize': RESIZE,
		'/mask/fields': FIELDS,
		'/mask/frames': FRAMES(crossOrigin),
		'/mask/rules': RULES_PAGE,
		'/mask/shapes': SHAPES,
		'/mask/shapes-wide': SHAPES_WIDE,
		'/mask/statement.pdf': { contentType: 'application/pdf', body: statementPdf() },
	};
}

const key = (driver: Driver, key: string, code = key) => {
	driver.input({ type: 'key/down', key, code, modifiers: 0 });
	driver.input({ type: 'key/up', key, code, modifiers: 0 });
};

/** Two fingers at `at`, their spread (a fraction of the width each side) going from `from` to `to` in ten steps. */
async function pinch(driver: Driver, at: { x: number; y: number }, from: number, to: number): Promise<void> {
	const fingers = (spread: number) => [
		{ id: 1, x: at.x - spread, y: at.y },
		{ id: 2, x: at.x + spread, y: at.y },
	];
	driver.input({ type: 'touch/start', touches: fingers(from) });
	for (let i = 1; i <= 10; i++) {
		await driver.wait(30);
		driver.input({ type: 'touch/move', touches: fingers(from + ((to - from) * i) / 10) });
	}
	driver.input({ type: 'touch/end', touches: [] });
}

/** One finger from the middle, moved up and left by (dx, dy) six times. */
async function pan(driver: Driver, dx: number, dy: number): Promise<void> {
	driver.input({ type: 'touch/start', touches: [{ id: 1, x: 0.5, y: 0.5 }] });
	for (let i = 1; i <= 6; i++) {
		await driver.wait(40);
		driver.input({ type: 'touch/move', touches: [{ id: 1, x: 0.5 - i * dx, y: 0.5 - i * dy }] });
	}
	driver.input({ type: 'touch/end', touches: [] });
}

export const SCENARIOS: Scenario[] = [
	{
		name: 'a desktop site on a phone: laid out 980 px wide and shown zoomed out, then pinch-zoomed in and panned',
		path: '/mask/shapes-wide',
		async play(driver) {
			await driver.shape('phone');
			for (let i = 0; i < 8; i++) {
				driver.input({ type: 'pointer/move', x: 0.2 + i * 0.08, y: 0.5 });
				await driver.wait(60);
			}
			await pinch(driver, { x: 0.5, y: 0.3 }, 0.05, 0.35);
			await driver.wait(800);
			await pan(driver, 0.05, 0.04);
			await driver.wait(800);
			await driver.shape('desktop');
			await driver.wait(300);
		},
	},
	{
		name: 'device shapes: the page turns into a phone, a rotated phone, a tablet, and back to a desktop',
		path: '/mask/shapes',
		async play(driver) {
			for (const shape of ['phone', 'phone-landscape', 'phone', 'tablet', 'desktop', 'phone', 'desktop'] as const) {
				await driver.shape(shape);
				for (let i = 0; i < 8; i++) {
					driver.input({ type: 'pointer/move', x: 0.2 + i * 0.08, y: 0.5 });
					await driver.wait(60);
				}
			}
		},
	},
	{
		name: 'a PDF: IBANs and card numbers in a bank statement, read from its text layer while it opens and scrolls',
		path: '/mask/statement.pdf',
		async play(driver) {
			await driver.wait(1500);
			for (let i = 0; i < 12; i++) {
				driver.input({ type: 'pointer/wheel', x: 0.5, y: 0.5, dx: 0, dy: 120 });
				await driver.wait(60);
			}
			key(driver, 'PageDown');
			await driver.wait(300);
			key(driver, 'Home');
			await driver.wait(400);
		},
	},
	{
		name: 'scrolling: wheel, keyboard, fling, smooth, nested scroller, sticky and fixed',
		path: '/mask/scroll',
		async play(driver) {
			for (let i = 0; i < 24; i++) {
				driver.input({ type: 'pointer/wheel', x: 0.7, y: 0.6, dx: 0, dy: 110 });
				await driver.wait(35);
			}
			for (let i = 0; i < 4; i++) {
				key(driver, 'PageDown');
				await driver.wait(250);
			}
			for (let i = 0; i < 14; i++) {
				key(driver, 'ArrowUp');
				await driver.wait(40);
			}
			// A fling: a quick touch drag upwards.
			driver.input({ type: 'touch/start', touches: [{ id: 1, x: 0.5, y: 0.85 }] });
			for (let i = 1; i <= 6; i++) {
				await driver.wait(12);
				driver.input({ type: 'touch/move', touches: [{ id: 1, x: 0.5, y: 0.85 - i * 0.1 }] });
			}
			driver.input({ type: 'touch/end', touches: [] });
			await driver.wait(900);
			await driver.evaluate(`window.scrollBy({ top: -900, behavior: 'smooth' })`);
			await driver.wait(700);
			key(driver, 'Home');
			await driver.wait(400);
			// The nested scroller (top left, under the sticky header).
			for (let i = 0; i < 16; i++) {
				driver.input({ type: 'pointer/wheel', x: 0.2, y: 0.25, dx: 0, dy: 60 });
				await driver.wait(40);
			}
			await driver.wait(300);
		},
	},
	{
		name: 'motion: CSS animations and transitions, layout shifts, script-driven movement, a modal dialog',
		path: '/mask/motion',
		async play(driver) {
			for (let i = 0; i < 60; i++) {
				driver.input({ type: 'pointer/move', x: 0.3 + (i % 10) * 0.05, y: 0.5 });
				await driver.wait(70);
			}
		},
	},
	{
		name: 'resizing: a sidebar opening (text rewraps), a panel resized by script and its observer, a textarea, CSS zoom, details opening above, pinch-zoom',
		path: '/mask/resize',
		async play(driver) {
			for (let i = 0; i < 30; i++) {
				driver.input({ type: 'pointer/move', x: 0.2 + (i % 8) * 0.08, y: 0.4 });
				await driver.wait(90);
			}
			// A pinch-zoom (two fingers apart), a pan while zoomed, and a pinch back out.
			await pinch(driver, { x: 0.35, y: 0.3 }, 0.03, 0.23);
			await driver.wait(1200);
			await pan(driver, 0.04, 0.03);
			await driver.wait(1200);
			await pinch(driver, { x: 0.5, y: 0.5 }, 0.25, 0.03);
			await driver.wait(800);
		},
	},
	{
		name: 'fields: typed, set by script, show-password, added by script, textarea, contenteditable, select, echoed',
		path: '/mask/fields',
		async play(driver) {
			// Click into the unlabelled field, then type a card number a digit at a time.
			const typed = (await driver.evaluate(`(() => { const r = document.getElementById('typed').getBoundingClientRect(); return [(r.left + 20) / innerWidth, (r.top + r.height / 2) / innerHeight]; })()`)) as [number, number];
			driver.input({ type: 'pointer/down', x: typed[0], y: typed[1], button: 'left', clickCount: 1, modifiers: 0 });
			driver.input({ type: 'pointer/up', x: typed[0], y: typed[1], button: 'left', clickCount: 1, modifiers: 0 });
			await driver.wait(100);
			for (const digit of '4111111111111111') {
				driver.input({ type: 'text/insert', text: digit });
				await driver.wait(110);
			}
			await driver.wait(1500);
			for (let i = 0; i < 16; i++) {
				key(driver, 'Backspace');
				await driver.wait(60);
			}
			await driver.wait(1200);
		},
	},
	{
		name: 'frames: same- and cross-origin iframes, open and closed shadow roots, a blocked main thread',
		path: '/mask/frames',
		async play(driver) {
			for (let round = 0; round < 3; round++) {
				// Scroll inside the same-origin iframe, then the page.
				for (let i = 0; i < 10; i++) {
					driver.input({ type: 'pointer/wheel', x: 0.2, y: 0.15, dx: 0, dy: 50 });
					await driver.wait(45);
				}
				for (let i = 0; i < 8; i++) {
					driver.input({ type: 'pointer/wheel', x: 0.8, y: 0.8, dx: 0, dy: i < 4 ? 90 : -90 });
					await driver.wait(60);
				}
				await driver.wait(300);
			}
		},
	},
];
