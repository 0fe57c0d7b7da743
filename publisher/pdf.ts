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
#pages{display:flex;flex-direction:column;align-items:center;gap:12px;padding:12px 0}
#status{color:#fff;padding:24px;text-align:center}
.page{position:relative;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.45)}
.page canvas{display:block;visibility:hidden}
.textLayer{position:absolute;inset:0;overflow:hidden;line-height:1;text-size-adjust:none;forced-color-adjust:none;transform-origin:0 0;z-index:0}
.textLayer span,.textLayer br{color:transparent;position:absolute;white-space:pre;cursor:text;transform-origin:0% 0%}
</style></head>
<body><div id="status">Opening ${title}…</div><div id="pages"></div>
<script type="module">
const status = document.getElementById('status');
try {
	const lib = await import(URL.createObjectURL(new Blob([${literal(lib)}], { type: 'text/javascript' })));
	lib.GlobalWorkerOptions.workerPort = new Worker(URL.createObjectURL(new Blob([${literal(worker)}], { type: 'text/javascript' })), { type: 'module' });
	const data = Uint8Array.from(atob(${literal(Buffer.from(pdf).toString('base64'))}), (c) => c.charCodeAt(0));
	const doc = await lib.getDocument({ data, isEvalSupported: false, enableXfa: false, disableFontFace: false }).promise;
	status.remove();
	const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
	for (let n = 1; n <= doc.numPages; n++) {
		const page = await doc.getPage(n);
		const scale = Math.min(1.5, (document.documentElement.clientWidth - 24) / page.getViewport({ scale: 1 }).width);
		const viewport = page.getViewport({ scale });
		const box = document.createElement('div');
		box.className = 'page';
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
		document.getElementById('pages').append(box);
		// NOTE: the text first, then the drawing: the detector finds what to mask in the
		// text layer before any of it can be seen (the canvas shows once it is drawn and
		// two frames after its text is in the page).
		await new lib.TextLayer({ textContentSource: page.streamTextContent(), container: layer, viewport }).render();
		await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
		await frames();
		canvas.style.visibility = 'visible';
	}
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
