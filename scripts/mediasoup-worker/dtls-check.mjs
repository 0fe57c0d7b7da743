// End-to-end check that the locally built worker survives a real browser
// DTLS handshake (the BIO_CB_RETURN bug crashed it there) and that SRTP works
// both ways through the libsrtp 3 -> 2 adapter.
// Run from the repo root: node scripts/mediasoup-worker/dtls-check.mjs
//
// Headless Debian Chromium + mediasoup-client (bundled with esbuild):
//   - send transport: DTLS + SCTP DataProducer and a VP8 canvas video producer
//     (server decrypts SRTP -> srtp_unprotect path);
//   - recv transport: the server sends that video back (srtp_protect path) and
//     the page checks frames were decoded.
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import * as mediasoup from 'mediasoup';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (...a) => console.log('dtls-check:', ...a);
// Exit at once on failure; Playwright kills the browser it launched on exit.
const fail = (msg) => {
  console.error(`dtls-check: FAIL: ${msg}`);
  process.exit(1);
};
const timeout = setTimeout(() => fail('timed out after 60s'), 60_000);

// --- mediasoup side -------------------------------------------------------
const worker = await mediasoup.createWorker({ logLevel: 'warn' });
worker.on('died', (err) => fail(`WORKER DIED: ${err?.message ?? err}`));
const router = await worker.createRouter({
  mediaCodecs: [
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    {
      kind: 'video',
      mimeType: 'video/H264',
      clockRate: 90000,
      parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
    },
  ],
});
const webRtcServer = await worker.createWebRtcServer({
  listenInfos: [
    { protocol: 'udp', ip: '127.0.0.1' },
    { protocol: 'tcp', ip: '127.0.0.1' },
  ],
});
const transports = new Map();
const newTransport = async () => {
  const t = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, enableSctp: true });
  transports.set(t.id, t);
  return {
    id: t.id,
    iceParameters: t.iceParameters,
    iceCandidates: t.iceCandidates,
    dtlsParameters: t.dtlsParameters,
    sctpParameters: t.sctpParameters,
  };
};
const sendInfo = await newTransport();
const recvInfo = await newTransport();
const sendTransport = transports.get(sendInfo.id);
const dtlsConnected = new Promise((resolve) =>
  sendTransport.on('dtlsstatechange', (s) => {
    log(`server send transport dtlsState=${s}`);
    if (s === 'connected') resolve();
    if (s === 'failed' || s === 'closed') fail(`dtlsState ${s}`);
  }),
);
const directTransport = await router.createDirectTransport();
let gotMessage;
const messageReceived = new Promise((r) => (gotMessage = r));
let videoProducer;

// --- page + bundle ----------------------------------------------------------
const bundle = await esbuild.build({
  stdin: { contents: "export { Device } from 'mediasoup-client';", resolveDir: repoRoot },
  bundle: true,
  format: 'iife',
  globalName: 'mediasoupClient',
  platform: 'browser',
  write: false,
  logLevel: 'error',
});
const page = `<!doctype html><meta charset="utf-8"><title>dtls-check</title>
<script src="/mediasoup-client.js"></script><body>dtls-check</body>`;
const server = http.createServer((req, res) => {
  if (req.url === '/mediasoup-client.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.outputFiles[0].contents);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  ],
});
const ctx = await browser.newContext();
const tab = await ctx.newPage();
tab.on('console', (m) => log(`[page ${m.type()}] ${m.text()}`));
tab.on('pageerror', (e) => log(`[page error] ${e.message}`));

// Signaling, exposed to the page.
await tab.exposeFunction('msConnect', async (transportId, dtlsParameters) => {
  await transports.get(transportId).connect({ dtlsParameters });
});
await tab.exposeFunction('msProduceData', async (transportId, { sctpStreamParameters, label, protocol }) => {
  const dp = await transports.get(transportId).produceData({ sctpStreamParameters, label, protocol });
  const dc = await directTransport.consumeData({ dataProducerId: dp.id });
  dc.on('message', (m) => gotMessage(m.toString()));
  return dp.id;
});
await tab.exposeFunction('msProduce', async (transportId, { kind, rtpParameters }) => {
  videoProducer = await transports.get(transportId).produce({ kind, rtpParameters });
  return videoProducer.id;
});
await tab.exposeFunction('msConsume', async (transportId, rtpCapabilities) => {
  const consumer = await transports.get(transportId).consume({
    producerId: videoProducer.id,
    rtpCapabilities,
    paused: false,
  });
  return { id: consumer.id, producerId: videoProducer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
});

await tab.goto(url);
const result = await tab.evaluate(
  async ({ routerRtpCapabilities, sendInfo, recvInfo }) => {
    const { Device } = window.mediasoupClient;
    const device = new Device();
    await device.load({ routerRtpCapabilities });
    const wire = (t) => {
      t.on('connect', ({ dtlsParameters }, ok, ko) => window.msConnect(t.id, dtlsParameters).then(ok, ko));
      t.on('connectionstatechange', (s) => console.log(`${t.direction} transport ${s}`));
    };
    const send = device.createSendTransport(sendInfo);
    wire(send);
    send.on('producedata', (p, ok, ko) => window.msProduceData(send.id, p).then((id) => ok({ id }), ko));
    send.on('produce', (p, ok, ko) => window.msProduce(send.id, p).then((id) => ok({ id }), ko));
    const connected = new Promise((resolve, reject) =>
      send.on('connectionstatechange', (s) => {
        if (s === 'connected') resolve();
        if (s === 'failed') reject(new Error('send transport failed'));
      }),
    );

    // Data channel over DTLS/SCTP.
    const dp = await send.produceData({ label: 'dtls-check', ordered: true });
    await connected;
    if (dp.readyState !== 'open') await new Promise((r) => dp.on('open', r));
    dp.send('hello from chromium');

    // Video: an animated canvas, VP8.
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const g = canvas.getContext('2d');
    let n = 0;
    setInterval(() => {
      g.fillStyle = `hsl(${(n += 7) % 360} 80% 50%)`;
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = '#000';
      g.fillText(String(n), 20 + (n % 280), 120);
    }, 33);
    const track = canvas.captureStream(30).getVideoTracks()[0];
    const vp8 = device.rtpCapabilities.codecs.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
    await send.produce({ track, codec: vp8 });

    // Receive it back on a second transport.
    const recv = device.createRecvTransport(recvInfo);
    wire(recv);
    const c = await window.msConsume(recv.id, device.rtpCapabilities);
    const consumer = await recv.consume(c);
    let stats = {};
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 250));
      for (const s of (await consumer.getStats()).values()) {
        if (s.type === 'inbound-rtp') stats = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded };
      }
      if (stats.framesDecoded > 10) break;
    }
    return { sendState: send.connectionState, recvState: recv.connectionState, inbound: stats };
  },
  { routerRtpCapabilities: router.rtpCapabilities, sendInfo, recvInfo },
);
log('page result', JSON.stringify(result));

await dtlsConnected;
const msg = await Promise.race([messageReceived, new Promise((r) => setTimeout(() => r(null), 5000))]);
if (msg !== 'hello from chromium') fail(`data channel message not received (got ${msg})`);
log(`server got data channel message: "${msg}"`);

const producerStats = await videoProducer.getStats();
const inBytes = producerStats.reduce((a, s) => a + (s.byteCount ?? 0), 0);
log(`server producer received ${inBytes} bytes of decrypted RTP (srtp_unprotect)`);
if (!(inBytes > 0)) fail('server producer received no RTP');
if (!(result.inbound.framesDecoded > 0)) fail('browser decoded no frames from the server (srtp_protect)');

// Let the worker run a bit more with live media to catch late crashes.
await new Promise((r) => setTimeout(r, 2000));
const tuple = sendTransport.iceSelectedTuple;
log(
  `send transport iceState=${sendTransport.iceState} dtlsState=${sendTransport.dtlsState} ` +
    `sctpState=${sendTransport.sctpState} tuple=${tuple?.protocol} ${tuple?.localAddress}:${tuple?.localPort}`,
);

await browser.close();
worker.removeAllListeners('died');
worker.close();
server.close();
clearTimeout(timeout);
log('OK: DTLS handshake, SCTP data channel and SRTP both ways work; worker alive');
process.exit(0);
