/**
 * The page shown in the cloud browser when a page cannot be opened, instead of Chromium's
 * own (whose address is `chrome-error://` and whose text is a raw network code). It says
 * what happened in plain words, shows the address, and offers to try again.
 */

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The error page's HTML: `message` is one of navigation.ts's safe messages. */
export function errorPageHtml(url: string, message: string): string {
	const reason = message.charAt(0).toUpperCase() + message.slice(1);
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>This page could not be opened</title>
<style>
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f6fb;color:#1e293b;font:16px/1.5 system-ui,"DejaVu Sans",sans-serif}
main{max-width:520px;padding:32px 24px;text-align:center}
h1{font-size:22px;margin:0 0 8px}
p{margin:0 0 12px;color:#475569}
.url{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:14px;color:#334155;overflow-wrap:anywhere}
button{margin-top:8px;height:40px;padding:0 20px;border:0;border-radius:8px;background:#0f766e;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer}
</style></head><body><main>
<h1>This page could not be opened</h1>
<p>${escape(reason)}.</p>
<p class="url">${escape(url.slice(0, 300))}</p>
<button type="button" onclick="location.reload()">Try again</button>
</main></body></html>`;
}
