import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignalingClient, SignalingError, defaultSocketUrl, type SocketLike } from './signaling';

class FakeSocket implements SocketLike {
	readyState = 1;
	sent: { id: number; type: string; data: unknown }[] = [];
	onmessage: SocketLike['onmessage'] = null;
	onclose: SocketLike['onclose'] = null;
	onerror: SocketLike['onerror'] = null;
	send(data: string) {
		this.sent.push(JSON.parse(data));
	}
	close(code = 1000, reason = '') {
		this.readyState = 3;
		this.onclose?.({ code, reason });
	}
	receive(frame: unknown) {
		this.onmessage?.({ data: JSON.stringify(frame) });
	}
	drop() {
		this.readyState = 3;
		this.onclose?.({ code: 1006, reason: '' });
	}
}

afterEach(() => {
	vi.useRealTimers();
});

describe('SignalingClient', () => {
	it('sends requests with increasing ids and resolves each with the reply that echoes its id', async () => {
		const socket = new FakeSocket();
		const client = new SignalingClient(socket);
		const join = client.request('session/join', { token: 'x'.repeat(16) });
		const nav = client.request('browser/navigate', { url: 'https://example.com' });
		expect(socket.sent.map((f) => [f.id, f.type])).toEqual([
			[1, 'session/join'],
			[2, 'browser/navigate'],
		]);
		// Replies may come out of order.
		socket.receive({ id: 2, ok: true, data: { url: 'https://example.com/' } });
		socket.receive({ id: 1, ok: true, data: { sessionId: 's1' } });
		await expect(nav).resolves.toEqual({ url: 'https://example.com/' });
		await expect(join).resolves.toMatchObject({ sessionId: 's1' });
	});

	it('rejects with the server error code and message', async () => {
		const socket = new FakeSocket();
		const client = new SignalingClient(socket);
		const req = client.request('browser/history', { action: 'back' });
		socket.receive({ id: 1, ok: false, error: { code: 'forbidden', message: 'locked: only the customer can do this' } });
		const error = await req.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(SignalingError);
		expect(error).toMatchObject({ code: 'forbidden', message: 'locked: only the customer can do this' });
	});

	it('times out a request with no reply, and ignores the reply if it comes later', async () => {
		vi.useFakeTimers();
		const socket = new FakeSocket();
		const client = new SignalingClient(socket, { requestTimeoutMs: 500 });
		const req = client.request('media/resume', { consumerId: 'c' });
		const caught = req.catch((e: unknown) => e);
		vi.advanceTimersByTime(501);
		expect(await caught).toMatchObject({ code: 'timeout' });
		expect(() => socket.receive({ id: 1, ok: true, data: {} })).not.toThrow();
	});

	it('delivers notifications to subscribers until they unsubscribe', () => {
		const socket = new FakeSocket();
		const client = new SignalingClient(socket);
		const seen: string[] = [];
		const off = client.on('participant/joined', (p) => seen.push(p.name));
		socket.receive({ type: 'participant/joined', data: { id: 'p2', name: 'Ada', role: 'agent' } });
		off();
		socket.receive({ type: 'participant/joined', data: { id: 'p3', name: 'Bob', role: 'customer' } });
		expect(seen).toEqual(['Ada']);
	});

	it('survives frames that are not JSON or not envelopes', () => {
		const socket = new FakeSocket();
		const client = new SignalingClient(socket);
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		socket.onmessage?.({ data: 'not json' });
		socket.receive(42);
		socket.receive({ id: 99, ok: true, data: {} });
		expect(client.open).toBe(true);
		warn.mockRestore();
	});

	it('fails pending requests and reports the close once when the socket drops', async () => {
		const socket = new FakeSocket();
		const client = new SignalingClient(socket);
		const closes: string[] = [];
		client.onClose((reason) => closes.push(reason));
		const req = client.request('transport/create', { direction: 'recv' });
		socket.drop();
		client.close();
		await expect(req).rejects.toMatchObject({ code: 'closed' });
		expect(closes).toHaveLength(1);
		expect(client.open).toBe(false);
		await expect(client.request('session/leave', {})).rejects.toMatchObject({ code: 'closed' });
	});
});

describe('defaultSocketUrl', () => {
	it('uses wss on https pages and ws on http pages, same host, path /ws', () => {
		expect(defaultSocketUrl({ protocol: 'https:', host: 'help.example.com' })).toBe('wss://help.example.com/ws');
		expect(defaultSocketUrl({ protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/ws');
	});
});
