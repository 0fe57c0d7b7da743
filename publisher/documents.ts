/**
 * The document gate: every document the captured tab loads is paused twice in CDP's Fetch
 * domain. Before it is requested, a top-level one must pass the URL policy (urlPolicy.ts:
 * the company's allowed sites), whoever started it: the address bar, a link, a redirect, a
 * form, `window.open` (whose page the tab opens itself). When its response arrives, a PDF is
 * answered with the viewer whose text the masking detector reads (pdf.ts), when the session
 * masks.
 */
import type { Logger } from 'pino';
import type { CDPSession } from 'puppeteer-core';
import { answerDocumentResponse } from './pdf.js';
import { type UrlPolicy, urlProblem } from './urlPolicy.js';

export interface DocumentGateOptions {
	/** Whether PDFs are shown in the readable viewer (with a masked rendition). */
	pdfViewer: boolean;
	/** The policy now (it changes when the company saves its settings). */
	policy(): UrlPolicy;
	/** A top-level document was refused (the tab stays where it was). */
	onRefused(url: string, problem: string): void;
	/**
	 * The tab's top frame id, when known (a new tab's is its target id). NOTE: a tab paused
	 * before its page runs answers no Page command until it runs; the gate must be on before.
	 */
	topFrame?: string;
}

export async function gateDocuments(cdp: CDPSession, options: DocumentGateOptions, logger: Logger): Promise<void> {
	const topFrame = options.topFrame ?? (await cdp.send('Page.getFrameTree')).frameTree.frame.id;
	cdp.on('Fetch.requestPaused', (event) => {
		void (async () => {
			const { requestId, request, frameId } = event;
			if (event.responseStatusCode !== undefined || event.responseErrorReason !== undefined) {
				if (options.pdfViewer) await answerDocumentResponse(cdp, event, logger);
				else await cdp.send('Fetch.continueResponse', { requestId }).catch(() => undefined);
				return;
			}
			// NOTE: only the top frame's documents: an iframe on an allowed site may show
			// others' content (a map, a payment form) without the tab leaving the site.
			const problem = frameId === topFrame ? urlProblem(request.url, options.policy()) : undefined;
			if (problem) {
				// NOTE: aborted, not blocked: an aborted navigation leaves the tab on its page,
				// where a blocked one would show Chromium's error page.
				await cdp.send('Fetch.failRequest', { requestId, errorReason: 'Aborted' }).catch(() => undefined);
				options.onRefused(request.url, problem);
				return;
			}
			await cdp.send('Fetch.continueRequest', { requestId }).catch(() => undefined);
		})();
	});
	await cdp.send('Fetch.enable', {
		patterns: [
			{ resourceType: 'Document', requestStage: 'Request' },
			...(options.pdfViewer ? [{ resourceType: 'Document' as const, requestStage: 'Response' as const }] : []),
		],
	});
}
