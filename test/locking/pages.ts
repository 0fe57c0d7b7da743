/**
 * Pages whose locked controls record every activation (in `window.hits`, in the page's
 * own world): the lock-bypass test and `npm run bench:policy` try to activate them as an
 * agent (none may record anything) and as the customer (each must).
 */

const STYLE = `<style>
body{margin:0;font:18px/1.4 "DejaVu Sans",system-ui,sans-serif;background:#fff;color:#222}
.row{display:flex;gap:12px;align-items:center;padding:6px 16px;flex-wrap:wrap}
button,.btn{font:inherit;padding:6px 12px}
iframe{width:300px;height:70px;border:1px solid #888}
</style>`;

/** The lock-bypass page. `crossOrigin` serves {@link LOCK_INNER} at /lock-inner. */
export const LOCK_PAGE = (crossOrigin: string) => `<!doctype html><html><head><meta charset="utf-8">${STYLE}</head><body>
<form id="pay" class="row" onsubmit="hit('submit-pay'); return false;">
<label for="card">Card number</label><input id="card" autocomplete="cc-number" value="4111111111111111" size="18">
<input id="name" name="name" value="Mario" size="8">
<button id="buy" onclick="hit('buy')">Buy now</button>
</form>
<div class="row">
<button id="acquista" onclick="hit('acquista')" onauxclick="hit('acquista-aux')" ondblclick="hit('acquista-dbl')"><span id="acq-inner">Acquista ora</span></button>
<label id="acc-label"><input type="checkbox" id="accept" onclick="hit('accept')"> Accetto i termini</label>
<div role="button" id="confirm" class="btn" style="background:#eef" onpointerdown="hit('confirm-pointerdown')" onmousedown="hit('confirm-mousedown')" ontouchstart="hit('confirm-touch')">Conferma</div>
<a href="#" id="delete" onclick="hit('delete'); return false">Delete account</a>
<button id="key" accesskey="k" onclick="hit('accesskey')">Pay</button>
<button form="pay" id="outside" type="submit" onclick="hit('outside-form')">Continue</button>
</div>
<form id="login" class="row" onsubmit="hit('submit-login'); return false;">
<input id="user" name="user" value="mario" size="8"><input type="password" id="pw" value="secret" size="8"><button id="signin" onclick="hit('signin')">Sign in</button>
</form>
<div class="row">
<open-locked></open-locked><closed-locked></closed-locked><closed-free></closed-free>
<iframe id="same" srcdoc="<button id=paga style='font:18px sans-serif' onclick=&quot;parent.hit('iframe-paga')&quot;>Paga</button>"></iframe>
<iframe id="cross" src="${crossOrigin}/lock-inner"></iframe>
</div>
<div class="row" style="position:relative;height:50px">
<button id="mover" style="position:absolute;left:16px;top:6px" onmousedown="swap()" onclick="hit('mover')">Details</button>
<button id="underneath" style="position:absolute;left:16px;top:6px;visibility:hidden" onclick="hit('underneath')" onmouseup="hit('underneath-up')">Confirm order</button>
</div>
<form id="swapform" class="row" onsubmit="hit('submit-swap'); return false;">
<input id="swapin" size="8"><button id="swapbtn">Search</button>
<button type="button" id="relay" onclick="document.getElementById('buy').click()">Help</button>
</form>
<div class="row">
<div class="fake-btn" id="divbuy" style="cursor:pointer;background:#def;padding:6px 12px">Buy now</div>
<div role="button" tabindex="0" id="kup" style="background:#fed;padding:6px 12px">Complete purchase</div>
<button id="uprelay" onmouseup="document.getElementById('buy').click()">More</button>
<a href="#" id="imgbuy" onclick="hit('img-buy'); return false"><img alt="Buy now" width="60" height="24" style="background:#cde" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></a>
<label id="long-label"><input type="checkbox" id="terms" onclick="hit('terms')"> I have read and agree to the Terms of Service and Privacy Policy</label>
<iframe id="steps" src="/lock-step1" style="width:260px;height:60px"></iframe>
</div>
<form id="odd-form" class="row" onsubmit="hit('submit-odd'); return false;">
<input type="password" id="pw2" value="secret" size="6"><button type="submit " id="odd" onclick="hit('odd')">Go</button>
</form>
<div class="row">
<button id="harmless" onclick="hit('harmless')">Show details</button>
<input id="free" name="notes" size="16" oninput="hit('free-input')">
</div>
<div style="height:1200px"></div>
<script>
window.hits = [];
function hit(name) { window.hits.push(name); }
addEventListener('message', (e) => hit('cross-' + e.data));
function swap() { const m = document.getElementById('mover'), u = document.getElementById('underneath'); m.style.visibility = 'hidden'; u.style.visibility = 'visible'; setTimeout(() => { m.style.visibility = 'visible'; u.style.visibility = 'hidden'; }, 400); }
// A page that turns the default button into "Buy now" as Enter is pressed: the check saw "Search".
document.getElementById('swapin').addEventListener('keydown', (e) => { if (e.key === 'Enter') { const b = document.getElementById('swapbtn'); b.textContent = 'Buy now'; b.onclick = () => hit('swap-buy'); } });
document.getElementById('divbuy').addEventListener('click', () => hit('div-buy'));
document.getElementById('kup').addEventListener('keyup', (e) => { if (e.key === 'Enter' || e.key === ' ') hit('keyup-buy'); });
customElements.define('open-locked', class extends HTMLElement { constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML = '<button id=b style="font:18px sans-serif">Buy now</button>'; this.shadowRoot.getElementById('b').onclick = () => hit('open-shadow'); } });
customElements.define('closed-locked', class extends HTMLElement { constructor() { super(); const r = this.attachShadow({ mode: 'closed' }); r.innerHTML = '<button id=b style="font:18px sans-serif">Buy now</button>'; r.getElementById('b').onclick = () => hit('closed-shadow'); } });
customElements.define('closed-free', class extends HTMLElement { constructor() { super(); const r = this.attachShadow({ mode: 'closed' }); r.innerHTML = '<button id=b style="font:18px sans-serif">Details</button>'; r.getElementById('b').onclick = () => hit('closed-free'); } });
/** Where an element is, as fractions of the viewport: by id or tag, or 'open', 'paga', and 'cross…' (in the cross-origin iframe). */
/** Where LOCK_INNER's controls are in the cross-origin iframe (it places them there). */
const CROSS = { cross: [40, 14], 'cross-pay': [145, 14], 'cross-card': [40, 50], 'cross-plain': [190, 50] };
window.at = (name) => {
	let r;
	if (name === 'open') r = document.querySelector('open-locked').shadowRoot.getElementById('b').getBoundingClientRect();
	else if (name === 'paga') { const f = document.getElementById('same'); const b = f.contentDocument.getElementById('paga').getBoundingClientRect(); const o = f.getBoundingClientRect(); r = { left: o.left + f.clientLeft + b.left, top: o.top + f.clientTop + b.top, width: b.width, height: b.height }; }
	else if (name in CROSS) { const f = document.getElementById('cross'), o = f.getBoundingClientRect(), [x, y] = CROSS[name]; r = { left: o.left + f.clientLeft + x - 10, top: o.top + f.clientTop + y - 10, width: 20, height: 20 }; }
	else r = (document.getElementById(name) || document.querySelector(name)).getBoundingClientRect();
	return [(r.left + Math.min(r.width / 2, 20)) / innerWidth, (r.top + r.height / 2) / innerHeight];
};
</script></body></html>`;

/**
 * The cross-origin iframe's page (another process): a harmless button, a locked one, a
 * card field (focused with the frame) and a plain one, which record through the parent
 * (postMessage).
 */
export const LOCK_INNER = `<!doctype html><html><head><style>body{margin:0;font:16px sans-serif}*{position:absolute;box-sizing:border-box;margin:0}button{height:28px;top:0}input{height:26px;top:37px}</style></head><body>
<button id="x" style="left:0;width:80px" onclick="parent.postMessage('cross', '*')">Details</button>
<button id="pay" style="left:100px;width:90px" onclick="parent.postMessage('pay', '*')">Paga ora</button>
<input id="t" style="left:0;width:120px" autocomplete="cc-number" value="4111111111111111" oninput="parent.postMessage('typed', '*')">
<input id="n" style="left:140px;width:100px" oninput="parent.postMessage('plain', '*')">
<script>
addEventListener('focus', () => document.getElementById('t').focus());
addEventListener('message', (e) => { if (e.data === 'focus-plain') document.getElementById('n').focus(); });
document.addEventListener('copy', () => parent.postMessage('copied', '*'));
</script></body></html>`;

/** A same-origin iframe's two steps: a link, then a form whose default button pays. */
export const LOCK_STEP1 = `<!doctype html><html><body style="margin:0"><a href="/lock-step2">Next</a></body></html>`;
export const LOCK_STEP2 = `<!doctype html><html><body style="margin:0"><form onsubmit="parent.hit('step2-submit'); return false;"><input id="email" value="a@b.c" size="8"><button id="paynow" onclick="parent.hit('paynow')">Pay now</button></form></body></html>`;
