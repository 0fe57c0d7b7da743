/**
 * The page shown in the cloud browser when a page cannot be opened, instead of Chromium's
 * own (whose address is `chrome-error://` and whose text is a raw network code). It says
 * what happened in plain words, shows the address, and offers to try again.
 */

import type { NavigationFailure } from './navigation.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page's words in the languages of the apps (the session's language, else English). */
const TEXTS: Record<'en' | 'it', { title: string; again: string; reasons: Record<NavigationFailure, string> }> = {
	en: {
		title: 'This page could not be opened',
		again: 'Try again',
		reasons: {
			refused: 'This address cannot be opened in a co-browsing session.',
			timeout: 'The site took too long to answer.',
			certificate: "The site's secure connection could not be verified.",
			interrupted: 'The page was replaced before it loaded.',
			unreachable: 'The site could not be reached.',
		},
	},
	it: {
		title: 'Impossibile aprire questa pagina',
		again: 'Riprova',
		reasons: {
			refused: 'Questo indirizzo non può essere aperto in una sessione di navigazione condivisa.',
			timeout: 'Il sito ha impiegato troppo tempo a rispondere.',
			certificate: 'Non è stato possibile verificare la connessione sicura del sito.',
			interrupted: 'La pagina è stata sostituita prima di caricarsi.',
			unreachable: 'Non è stato possibile raggiungere il sito.',
		},
	},
};

/** The error page's HTML, in the session's language (`lang`, e.g. `it-IT`; English when it has none). */
export function errorPageHtml(url: string, failure: NavigationFailure, lang = 'en'): string {
	const code = lang.toLowerCase().split('-')[0] === 'it' ? 'it' : 'en';
	const text = TEXTS[code];
	return `<!doctype html><html lang="${code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${text.title}</title>
<style>
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f6fb;color:#1e293b;font:16px/1.5 system-ui,"DejaVu Sans",sans-serif}
main{max-width:520px;padding:32px 24px;text-align:center}
h1{font-size:22px;margin:0 0 8px}
p{margin:0 0 12px;color:#475569}
.url{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:14px;color:#334155;overflow-wrap:anywhere}
button{margin-top:8px;height:40px;padding:0 20px;border:0;border-radius:8px;background:#0f766e;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer}
</style></head><body><main>
<h1>${text.title}</h1>
<p>${escape(text.reasons[failure])}</p>
<p class="url">${escape(url.slice(0, 300))}</p>
<button type="button" onclick="location.reload()">${text.again}</button>
</main></body></html>`;
}
