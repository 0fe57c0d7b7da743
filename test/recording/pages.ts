/** Pages the recording tests record: one with a card number on screen, one busy, one plain. */
export const RECORDED_PAGES = {
	'/blue': `<!doctype html><html><body style="margin:0;background:#fff;font:24px sans-serif">
<div style="height:300px;background:#0000ff"></div>
<p><label>Card number <input autocomplete="cc-number" value="4111111111111111" style="color:#f0f;font:bold 64px sans-serif;width:900px;border:0"></label></p>
</body></html>`,
	// A page that never rests (a counter every frame), as a busy page is when a recorder dies.
	'/busy': `<!doctype html><html><body style="margin:0;background:#fff"><div style="height:300px;background:#0000ff"></div><p id="n" style="font:40px sans-serif"></p>
<script>let n = 0; (function tick() { document.getElementById('n').textContent = String(n++); requestAnimationFrame(tick); })();</script></body></html>`,
	'/green': `<!doctype html><html><body style="margin:0;background:#fff"><div style="height:400px;background:#00a000"></div></body></html>`,
};
