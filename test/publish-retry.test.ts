/**
 * A start whose first send transport never connects (seen rarely under load on two cores)
 * publishes on a fresh transport instead of failing the session: here the first transport
 * the cloud browser gets names a port nothing listens on, and so does the second: the third,
 * on a UDP port of its own rather than the worker's shared one, connects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Room } from '../sfu/Room.js';
import type { Alongside } from '../signaling/Alongside.js';
import { PUBLISHER_ID } from '../signaling/Session.js';
import { startAlongside, startSessionWithPin } from './helpers.js';

let app: Alongside;
const original = Room.prototype.createTransport;
let publisherTransports = 0;
const ownPorts: boolean[] = [];

beforeAll(async () => {
	Room.prototype.createTransport = async function (this: Room, ...args: Parameters<Room['createTransport']>) {
		const info = await original.apply(this, args);
		if (args[0] === PUBLISHER_ID) ownPorts.push(args[3]?.ownPort === true);
		// NOTE: the first two fail, so the last try (on a port of its own) is the one that works.
		if (args[0] !== PUBLISHER_ID || publisherTransports++ > 1) return info;
		// NOTE: candidates on a port nothing listens on: ICE never completes.
		return { ...info, iceCandidates: info.iceCandidates.map((candidate) => ({ ...candidate, port: 9 })) };
	};
	app = await startAlongside({ ALONGSIDE_WARM_BROWSERS: '0' });
});

afterAll(async () => {
	Room.prototype.createTransport = original;
	await app?.close();
});

describe('publishing', () => {
	it('starts again on a fresh transport when the first never connects, the last on a port of its own, and the session goes live', async () => {
		const started = await startSessionWithPin(app);
		const session = app.session(started.sessionId)!;
		await session.ready;
		expect(publisherTransports).toBe(3);
		expect(ownPorts).toEqual([false, false, true]);
		expect(session.ended).toBe(false);
		// The capture survived the failed start: the page still publishes frames.
		const stats = await session.browser.captureStats('clear');
		expect(stats.framesEncoded).toBeGreaterThan(0);
		expect(stats.bytesSent).toBeGreaterThan(0);
	}, 60_000);
});
