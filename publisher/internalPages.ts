/**
 * Pages the cloud browser opens without the network: each session's egress proxy serves
 * them at `http://alongside.internal/<path>`, so the service's own HTTP port never has to
 * be reachable from the cloud browser (it is refused like any other of its ports).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTERNAL_HOST } from './egress/EgressProxy.js';
import type { InternalPage } from './egress/EgressProxyTypes.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The built-in start page (publisher/pages/welcome/), the default of `ALONGSIDE_START_URL`. */
export const WELCOME_URL = `http://${INTERNAL_HOST}/welcome/`;

let pages: Map<string, InternalPage> | undefined;

/** The internal pages by path, read from publisher/pages/ once per process. */
export function internalPages(): Map<string, InternalPage> {
	pages ??= new Map([['/welcome/', { contentType: 'text/html; charset=utf-8', body: fs.readFileSync(path.join(here, 'pages', 'welcome', 'index.html')) }]]);
	return pages;
}
