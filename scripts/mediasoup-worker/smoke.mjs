// Smoke test for the locally built mediasoup worker.
// Run from the repo root: node scripts/mediasoup-worker/smoke.mjs
// Exercises: worker, router (H.264 + VP8), WebRtcServer (UDP + TCP on
// 127.0.0.1), WebRtcTransport with SCTP, DirectTransport + DataProducer (and a
// DataConsumer to see one message go through the worker), PlainTransport.
import * as mediasoup from 'mediasoup';

const fail = (msg) => {
  console.error(`smoke: FAIL: ${msg}`);
  process.exit(1);
};
const timeout = setTimeout(() => fail('timed out after 20s'), 20_000);

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
worker.on('died', (err) => fail(`worker died: ${err?.message ?? err}`));
console.log(`smoke: worker pid ${worker.pid}, mediasoup ${mediasoup.version}`);

const router = await worker.createRouter({
  mediaCodecs: [
    {
      kind: 'video',
      mimeType: 'video/H264',
      clockRate: 90000,
      parameters: {
        'packetization-mode': 1,
        'profile-level-id': '42e01f',
        'level-asymmetry-allowed': 1,
      },
    },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  ],
});
const mimes = router.rtpCapabilities.codecs.map((c) => c.mimeType);
if (!mimes.includes('video/H264') || !mimes.includes('video/VP8')) {
  fail(`router codecs missing H264/VP8: ${mimes.join(', ')}`);
}

const webRtcServer = await worker.createWebRtcServer({
  listenInfos: [
    { protocol: 'udp', ip: '127.0.0.1' },
    { protocol: 'tcp', ip: '127.0.0.1' },
  ],
});
const serverDump = await webRtcServer.dump();
const udpPort = serverDump.udpSockets[0]?.port;
const tcpPort = serverDump.tcpServers[0]?.port;
if (!udpPort || !tcpPort) fail(`WebRtcServer ports missing: ${JSON.stringify(serverDump)}`);
console.log(`smoke: WebRtcServer udp ${udpPort} tcp ${tcpPort}`);

const webRtcTransport = await router.createWebRtcTransport({
  webRtcServer,
  enableUdp: true,
  enableTcp: true,
  enableSctp: true,
});
const protocols = webRtcTransport.iceCandidates.map((c) => c.protocol).sort();
if (protocols.join(',') !== 'tcp,udp') fail(`unexpected ICE candidates: ${protocols}`);
if (!webRtcTransport.sctpParameters) fail('WebRtcTransport has no sctpParameters');
if (!webRtcTransport.dtlsParameters.fingerprints.length) fail('no DTLS fingerprints');
console.log(
  `smoke: WebRtcTransport ${webRtcTransport.id} sctp port ${webRtcTransport.sctpParameters.port}`,
);

const directTransport = await router.createDirectTransport();
const dataProducer = await directTransport.produceData({ label: 'smoke' });
const dataConsumer = await directTransport.consumeData({ dataProducerId: dataProducer.id });
const received = new Promise((resolve) => dataConsumer.once('message', (m) => resolve(m.toString())));
dataProducer.send('hello worker');
const msg = await received;
if (msg !== 'hello worker') fail(`direct data message mismatch: ${msg}`);
console.log('smoke: DirectTransport DataProducer -> DataConsumer message ok');

const plainTransport = await router.createPlainTransport({
  listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
  rtcpMux: true,
  comedia: true,
});
console.log(`smoke: PlainTransport udp ${plainTransport.tuple.localPort}`);

dataConsumer.close();
dataProducer.close();
directTransport.close();
plainTransport.close();
webRtcTransport.close();
webRtcServer.close();
router.close();
worker.removeAllListeners('died');
worker.close();
clearTimeout(timeout);
console.log('smoke: OK');
process.exit(0);
