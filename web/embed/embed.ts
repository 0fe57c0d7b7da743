/**
 * The one line of code on a company's site:
 *
 *   <script async src="https://cobrowse.example.com/embed.js" data-company="acme"></script>
 *
 * adds a "Get help" button. A click asks Alongside for a PIN, shows it in a small panel on
 * the company's page, waits for an agent to redeem it, then offers the shared view (which
 * opens Alongside's customer page: the browsing itself happens in the cloud browser).
 *
 * It never breaks or reads the host page: everything lives in a closed shadow root, styled
 * by a constructed stylesheet (no inline style, so a strict style-src holds), no globals
 * are set, and nothing of the host page's DOM is read. The host page's CSP needs
 * `script-src` and `connect-src` to allow Alongside's origin.
 *
 * Options (data- attributes of the script tag): company (required), label, position
 * (right or left), color (#rrggbb; default the company's brand colour), lang (default the
 * visitor's language).
 */

export {};

type Lang = 'en' | 'it';

const TEXT: Record<Lang, Record<string, string>> = {
	en: {
		help: 'Get help',
		title: 'Browse together with an agent',
		read: 'Read this code to your agent',
		expires: 'Expires in',
		waiting: 'Waiting for your agent…',
		joined: 'Your agent has joined.',
		open: 'Open the shared view',
		expired: 'This code has expired.',
		again: 'Get a new code',
		failed: 'Help is not available right now. Try again in a moment.',
		close: 'Close',
		note: 'The agent sees only what you open in the shared view, not this page or your device.',
	},
	it: {
		help: 'Chiedi aiuto',
		title: 'Naviga insieme a un operatore',
		read: 'Leggi questo codice al tuo operatore',
		expires: 'Scade tra',
		waiting: 'In attesa del tuo operatore…',
		joined: 'Il tuo operatore è arrivato.',
		open: 'Apri la vista condivisa',
		expired: 'Questo codice è scaduto.',
		again: 'Nuovo codice',
		failed: "L'aiuto non è disponibile ora. Riprova tra poco.",
		close: 'Chiudi',
		note: "L'operatore vede solo ciò che apri nella vista condivisa, non questa pagina né il tuo dispositivo.",
	},
};

const STYLE = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.launch { position: fixed; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 999px; padding: 12px 20px;
  background: var(--c); color: #fff; font-size: 15px; font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgb(0 0 0 / .25); }
.launch:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #fbbf24; outline-offset: 2px; }
.right { right: 20px; } .left { left: 20px; }
.panel { position: fixed; bottom: 80px; z-index: 2147483000; width: min(340px, calc(100vw - 32px)); padding: 18px;
  border-radius: 14px; background: #fff; color: #0f172a; box-shadow: 0 10px 40px rgb(0 0 0 / .3); font-size: 14px; line-height: 1.45; }
.panel[hidden] { display: none; }
h2 { margin: 0 28px 8px 0; font-size: 16px; }
.x { position: absolute; top: 10px; right: 10px; width: 28px; height: 28px; border: 0; border-radius: 6px; background: transparent; font-size: 20px; line-height: 1; color: #475569; cursor: pointer; }
.pin { margin: 10px 0; padding: 10px; border-radius: 10px; background: #f1f5f9; text-align: center; font: 700 32px/1.2 ui-monospace, monospace; letter-spacing: .12em; color: var(--c); }
.muted { color: #475569; font-size: 13px; margin: 6px 0; }
.go { display: block; margin-top: 10px; padding: 10px 14px; border-radius: 8px; background: var(--c); color: #fff; text-align: center; font-weight: 600; text-decoration: none; border: 0; width: 100%; font-size: 15px; cursor: pointer; }
`;

(() => {
	const script = document.currentScript as HTMLScriptElement | null;
	if (!script?.src) return;
	const origin = new URL(script.src).origin;
	const company = script.dataset.company ?? '';
	if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(company)) return;
	const lang: Lang = (script.dataset.lang ?? navigator.language ?? 'en').toLowerCase().startsWith('it') ? 'it' : 'en';
	const text = TEXT[lang];
	const position = script.dataset.position === 'left' ? 'left' : 'right';
	const api = `${origin}/api/companies/${company}`;

	const host = document.createElement('alongside-help');
	const root = host.attachShadow({ mode: 'closed' });
	const sheet = new CSSStyleSheet();
	sheet.replaceSync(STYLE);
	root.adoptedStyleSheets = [sheet];

	const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] => {
		const node = Object.assign(document.createElement(tag), props);
		node.append(...children);
		return node;
	};

	const launch = el('button', { type: 'button', className: `launch ${position}`, textContent: script.dataset.label || text.help });
	launch.setAttribute('aria-haspopup', 'dialog');
	const body = el('div');
	const close = el('button', { type: 'button', className: 'x', textContent: '×' });
	close.setAttribute('aria-label', text.close);
	const panel = el('div', { className: `panel ${position}`, hidden: true }, close, el('h2', { id: 'alongside-title', textContent: text.title }), body);
	panel.setAttribute('role', 'dialog');
	panel.setAttribute('aria-labelledby', 'alongside-title');
	root.append(launch, panel);

	const setColor = (color: string) => host.style.setProperty('--c', color);
	setColor(/^#[0-9a-f]{6}$/i.test(script.dataset.color ?? '') ? script.dataset.color! : '#0f766e');
	if (!script.dataset.color) {
		void fetch(`${api}/public`)
			.then((r) => (r.ok ? r.json() : null))
			.then((c: { brandColor?: string | null } | null) => c?.brandColor && /^#[0-9a-f]{6}$/i.test(c.brandColor) && setColor(c.brandColor))
			.catch(() => undefined);
	}

	let generation = 0;
	let timer: ReturnType<typeof setInterval> | undefined;

	const show = (...children: Array<Node | string>) => body.replaceChildren(...children);
	const stop = () => {
		generation++;
		clearInterval(timer);
	};

	async function start(): Promise<void> {
		stop();
		const mine = generation;
		show(el('p', { className: 'muted', textContent: text.waiting }));
		let issued: { pin: string; expiresIn: number; watchToken: string };
		try {
			const response = await fetch(`${api}/pins`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ lang: navigator.language, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
			});
			if (!response.ok) throw new Error(String(response.status));
			issued = await response.json();
		} catch {
			if (mine === generation) show(el('p', { textContent: text.failed }), again());
			return;
		}
		if (mine !== generation) return;
		const until = Date.now() + issued.expiresIn * 1000;
		const countdown = el('p', { className: 'muted' });
		const tick = () => {
			const left = Math.max(0, Math.round((until - Date.now()) / 1000));
			countdown.textContent = `${text.expires} ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
		};
		tick();
		timer = setInterval(tick, 1000);
		const pin = el('div', { className: 'pin', textContent: `${issued.pin.slice(0, 3)} ${issued.pin.slice(3)}` });
		pin.setAttribute('data-testid', 'embed-pin');
		show(el('p', { textContent: text.read }), pin, countdown, el('p', { className: 'muted', textContent: text.waiting }), el('p', { className: 'muted', textContent: text.note }));
		// NOTE: a long poll: the answer comes as soon as the agent redeems the code.
		while (mine === generation && Date.now() < until) {
			let state: { state: 'waiting' | 'redeemed' | 'gone'; sessionId?: string; token?: string };
			try {
				const response = await fetch(`${api}/pins/watch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ watchToken: issued.watchToken }) });
				if (!response.ok) throw new Error(String(response.status));
				state = await response.json();
			} catch {
				await new Promise((r) => setTimeout(r, 3000));
				continue;
			}
			if (mine !== generation) return;
			if (state.state === 'redeemed' && state.sessionId && state.token) {
				clearInterval(timer);
				const link = el('a', { className: 'go', textContent: text.open, target: '_blank', rel: 'noopener' });
				link.href = `${origin}/c/${company}#${new URLSearchParams({ session: state.sessionId, token: state.token })}`;
				link.setAttribute('data-testid', 'embed-open');
				show(el('p', { textContent: text.joined }), link);
				return;
			}
			if (state.state === 'gone') break;
		}
		if (mine !== generation) return;
		clearInterval(timer);
		show(el('p', { textContent: text.expired }), again());
	}

	function again(): HTMLButtonElement {
		const button = el('button', { type: 'button', className: 'go', textContent: text.again });
		button.addEventListener('click', () => void start());
		return button;
	}

	launch.addEventListener('click', () => {
		if (!panel.hidden) return close.click();
		panel.hidden = false;
		launch.setAttribute('aria-expanded', 'true');
		void start();
		close.focus();
	});
	close.addEventListener('click', () => {
		stop();
		panel.hidden = true;
		launch.setAttribute('aria-expanded', 'false');
		launch.focus();
	});
	panel.addEventListener('keydown', (event) => {
		if (event.key === 'Escape') close.click();
	});

	const attach = () => document.body.append(host);
	if (document.body) attach();
	else document.addEventListener('DOMContentLoaded', attach, { once: true });
})();
