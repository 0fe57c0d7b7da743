/**
 * PDFs open in a viewer whose text the masking detector can read. Chromium's own PDF
 * viewer draws text the page's DOM never holds (masked only when a rule named the whole
 * viewer); here a document response that is a PDF is answered instead with a page that
 * renders it with pdf.js: each page's text layer (transparent spans over the drawing) is
 * in the DOM, so card numbers and IBANs in a PDF are found and masked like any other text.
 *
 * The viewer is self-contained (pdf.js and its worker inline, the PDF's bytes inline):
 * it has the PDF's own URL and origin, and loads nothing.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { CDPSession, Protocol } from 'puppeteer-core';
import type { Logger } from 'pino';
import { PDF_TEXT_ATTRIBUTE } from '../protocol/detector.js';

/** The largest PDF shown in the viewer; a larger one is refused with a message (not shown unmasked). */
export const MAX_PDF_BYTES = 30 * 1024 * 1024;

let sources: { lib: string; worker: string } | undefined;

/** pdf.js and its worker, read once per process. */
function pdfjs(): { lib: string; worker: string } {
	if (!sources) {
		const require = createRequire(import.meta.url);
		sources = {
			lib: fs.readFileSync(require.resolve('pdfjs-dist/build/pdf.min.mjs'), 'utf8'),
			worker: fs.readFileSync(require.resolve('pdfjs-dist/build/pdf.worker.min.mjs'), 'utf8'),
		};
	}
	return sources;
}

/** A JavaScript string literal that is safe inside an HTML <script> element. */
function literal(text: string): string {
	return JSON.stringify(text).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The viewer page for a PDF (its bytes) fetched from `url`. */
export function pdfViewerHtml(pdf: Uint8Array, url: string): string {
	const { lib, worker } = pdfjs();
	const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'document.pdf');
	const title = name.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
	return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>
html,body{margin:0;background:#525659;font:14px system-ui,sans-serif}
#bar{position:sticky;top:0;z-index:2;display:flex;align-items:center;gap:6px;padding:6px 8px;background:#323639;color:#eee;box-shadow:0 1px 3px rgba(0,0,0,.5);flex-wrap:wrap}
#bar button{min-width:34px;height:32px;border:0;border-radius:6px;background:#4a4e52;color:#fff;font:600 16px system-ui,sans-serif;cursor:pointer}
#bar button:disabled{opacity:.4;cursor:default}
#bar input{height:30px;border:0;border-radius:6px;padding:0 8px;font:14px system-ui,sans-serif;background:#fff;color:#111}
#page{width:3.2em;text-align:center}
#find{flex:1;min-width:90px;max-width:260px}
#zoom,#found{min-width:3.5em;text-align:center;font-variant-numeric:tabular-nums}
.gap{flex:0 0 8px}
#pages{display:flex;flex-direction:column;align-items:center;gap:12px;padding:12px}
#status{color:#fff;padding:24px;text-align:center}
.page{position:relative;flex:none;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.45);scroll-margin-top:56px}
.page canvas{display:block;visibility:hidden}
.textLayer{position:absolute;inset:0;overflow:hidden;line-height:1;text-size-adjust:none;forced-color-adjust:none;transform-origin:0 0;z-index:0}
.textLayer span,.textLayer br{color:transparent;position:absolute;white-space:pre;cursor:text;transform-origin:0% 0%}
.textLayer span.hit{background:rgba(255,196,0,.45);border-radius:2px}
.textLayer span.hit.current{background:rgba(255,120,0,.6)}
</style></head>
<body><div id="bar" role="toolbar" aria-label="PDF">
<button id="prev" aria-label="Previous page" title="Previous page">&#8249;</button><input id="page" inputmode="numeric" aria-label="Page" value="1"><span id="count"></span><button id="next" aria-label="Next page" title="Next page">&#8250;</button>
<span class="gap"></span><button id="zoomOut" aria-label="Zoom out" title="Zoom out">&minus;</button><span id="zoom">100%</span><button id="zoomIn" aria-label="Zoom in" title="Zoom in">+</button>
<span class="gap"></span><input id="find" type="search" placeholder="Find" aria-label="Find in the document" enterkeyhint="search"><span id="found"></span>
</div><div id="status">Opening ${title}…</div><div id="pages"></div>
<script type="module">
const $ = (id) => document.getElementById(id);
const status = $('status');
try {
	const lib = await import(URL.createObjectURL(new Blob([${literal(lib)}], { type: 'text/javascript' })));
	lib.GlobalWorkerOptions.workerPort = new Worker(URL.createObjectURL(new Blob([${literal(worker)}], { type: 'text/javascript' })), { type: 'module' });
	const data = Uint8Array.from(atob(${literal(Buffer.from(pdf).toString('base64'))}), (c) => c.charCodeAt(0));
	const doc = await lib.getDocument({ data, isEvalSupported: false, enableXfa: false, disableFontFace: false }).promise;
	status.remove();
	$('count').textContent = '/ ' + doc.numPages;
	const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
	const ZOOMS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3];
	let zoom = 3;
	let rendering = 0;
	/** Draws every page at the zoom chosen (100%: the page's width fits the window, at most 1.5×), keeping the page shown. */
	async function render(keepPage) {
		const mine = ++rendering;
		const pages = $('pages');
		pages.replaceChildren();
		$('zoom').textContent = Math.round(ZOOMS[zoom] * 100) + '%';
		$('zoomOut').disabled = zoom === 0;
		$('zoomIn').disabled = zoom === ZOOMS.length - 1;
		for (let n = 1; n <= doc.numPages; n++) {
			const page = await doc.getPage(n);
			if (mine !== rendering) return;
			const fit = Math.min(1.5, (document.documentElement.clientWidth - 24) / page.getViewport({ scale: 1 }).width);
			const scale = fit * ZOOMS[zoom];
			const viewport = page.getViewport({ scale });
			const box = document.createElement('div');
			box.className = 'page';
			box.dataset.page = String(n);
			box.style.width = viewport.width + 'px';
			box.style.height = viewport.height + 'px';
			box.style.setProperty('--scale-factor', String(scale));
			const canvas = document.createElement('canvas');
			canvas.width = Math.floor(viewport.width);
			canvas.height = Math.floor(viewport.height);
			const layer = document.createElement('div');
			layer.className = 'textLayer';
			layer.setAttribute(${literal(PDF_TEXT_ATTRIBUTE)}, '');
			box.append(canvas, layer);
			pages.append(box);
			if (n === keepPage) box.scrollIntoView({ block: 'start' });
			// NOTE: the text first, then the drawing: the detector finds what to mask in the
			// text layer before any of it can be seen (the canvas shows once it is drawn and
			// two frames after its text is in the page).
			await new lib.TextLayer({ textContentSource: page.streamTextContent(), container: layer, viewport }).render();
			await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
			await frames();
			if (mine !== rendering) return;
			canvas.style.visibility = 'visible';
		}
		if ($('find').value) find(false);
	}
	/** The page most of the window shows. */
	function currentPage() {
		const middle = innerHeight / 2;
		for (const box of document.querySelectorAll('.page')) {
			const r = box.getBoundingClientRect();
			if (r.bottom >= middle) return Number(box.dataset.page);
		}
		return doc.numPages;
	}
	function go(n) {
		const page = Math.min(doc.numPages, Math.max(1, n));
		document.querySelector('.page[data-page="' + page + '"]')?.scrollIntoView({ block: 'start' });
		$('page').value = String(page);
	}
	addEventListener('scroll', () => {
		if (document.activeElement !== $('page')) $('page').value = String(currentPage());
	}, { passive: true });
	$('prev').onclick = () => go(currentPage() - 1);
	$('next').onclick = () => go(currentPage() + 1);
	$('page').onkeydown = (e) => { if (e.key === 'Enter') go(Number.parseInt($('page').value, 10) || 1); };
	$('page').onblur = () => ($('page').value = String(currentPage()));
	$('zoomIn').onclick = () => { if (zoom < ZOOMS.length - 1) { zoom++; void render(currentPage()); } };
	$('zoomOut').onclick = () => { if (zoom > 0) { zoom--; void render(currentPage()); } };
	let hits = [];
	let at = -1;
	/** Marks where the words looked for are; \`next\`: moves to the next place (Enter). */
	function find(next) {
		const words = $('find').value.trim().toLowerCase();
		for (const span of document.querySelectorAll('.textLayer span.hit')) span.classList.remove('hit', 'current');
		hits = words ? [...document.querySelectorAll('.textLayer span')].filter((span) => span.textContent.toLowerCase().includes(words)) : [];
		for (const span of hits) span.classList.add('hit');
		at = hits.length === 0 ? -1 : next ? (at + 1) % hits.length : Math.min(Math.max(at, 0), hits.length - 1);
		$('found').textContent = !words ? '' : hits.length === 0 ? '0/0' : at + 1 + '/' + hits.length;
		if (at >= 0) {
			hits[at].classList.add('current');
			hits[at].scrollIntoView({ block: 'center' });
		}
	}
	let typing;
	$('find').oninput = () => { clearTimeout(typing); at = -1; typing = setTimeout(() => find(true), 250); };
	$('find').onkeydown = (e) => { if (e.key === 'Enter') { clearTimeout(typing); find(true); } };
	await render(1);
} catch (error) {
	status.textContent = 'This PDF could not be shown: ' + (error && error.message ? error.message : error);
}
</script></body></html>`;
}

/** A response that is a PDF: by its content type, or an octet stream named .pdf. */
export function isPdfResponse(headers: Array<{ name: string; value: string }>, url: string): boolean {
	const type = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value.toLowerCase() ?? '';
	if (/^application\/(x-)?pdf\b/.test(type)) return true;
	return type.startsWith('application/octet-stream') && /\.pdf$/i.test(new URL(url).pathname);
}

/**
 * Answers one paused document response (see documents.ts): a PDF with the viewer, anything
 * else goes on untouched. Frames of any depth: a PDF in an iframe is shown the same way.
 */
export async function answerDocumentResponse(cdp: CDPSession, event: Protocol.Fetch.RequestPausedEvent, logger: Logger): Promise<void> {
	const { requestId, request, responseStatusCode, responseHeaders } = event;
	try {
		if (responseStatusCode !== 200 || !responseHeaders || !isPdfResponse(responseHeaders, request.url)) {
			await cdp.send('Fetch.continueResponse', { requestId });
			return;
		}
		const { body, base64Encoded } = await cdp.send('Fetch.getResponseBody', { requestId });
		const bytes = Buffer.from(body, base64Encoded ? 'base64' : 'utf8');
		const html = bytes.byteLength > MAX_PDF_BYTES ? tooLarge(bytes.byteLength) : pdfViewerHtml(bytes, request.url);
		await cdp.send('Fetch.fulfillRequest', {
			requestId,
			responseCode: 200,
			responseHeaders: [
				{ name: 'Content-Type', value: 'text/html; charset=utf-8' },
				{ name: 'Cache-Control', value: 'no-store' },
			],
			body: Buffer.from(html).toString('base64'),
		});
	} catch (error) {
		logger.warn({ err: (error as Error).message }, 'a PDF could not be put in the viewer');
		// NOTE: never shown as is (Chromium's viewer cannot be read): refused instead.
		await cdp.send('Fetch.failRequest', { requestId, errorReason: 'Failed' }).catch(() => undefined);
	}
}

function tooLarge(size: number): string {
	return `<!doctype html><meta charset="utf-8"><title>PDF too large</title><p style="font:16px system-ui;padding:24px">This PDF (${Math.round(size / 1048576)} MB) is larger than the ${MAX_PDF_BYTES / 1048576} MB the shared browser shows.</p>`;
}
