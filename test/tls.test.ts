/**
 * HTTPS and WSS when a certificate is configured, with a self-signed certificate made the
 * way the README shows.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WELCOME_URL } from '../publisher/internalPages.js';
import type { Alongside } from '../signaling/Alongside.js';
import { account, startAlongside } from './helpers.js';

let app: Alongside;
let ca: Buffer;

beforeAll(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-tls-'));
	const [key, cert] = [path.join(dir, 'tls.key'), path.join(dir, 'tls.crt')];
	execFileSync('openssl', [
		'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
		'-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
	], { stdio: 'ignore' });
	ca = fs.readFileSync(cert);
	app = await startAlongside({ ALONGSIDE_TLS_CERT: cert, ALONGSIDE_TLS_KEY: key });
});

afterAll(async () => {
	await app?.close();
});

describe('TLS', () => {
	it('serves HTTPS with the configured certificate', async () => {
		expect(app.url).toMatch(/^https:\/\/localhost:\d+$/);
		const body = await new Promise<string>((resolve, reject) => {
			https.get(`${app.url}/healthz`, { ca }, (res) => {
				let text = '';
				res.on('data', (chunk) => (text += chunk));
				res.on('end', () => resolve(text));
			}).on('error', reject);
		});
		expect(JSON.parse(body)).toMatchObject({ ok: true });
	});

	it('tells browsers to come back only over HTTPS (HSTS)', async () => {
		const hsts = await new Promise<string | undefined>((resolve, reject) => {
			https.get(`${app.url}/agent/`, { ca }, (res) => {
				res.resume();
				resolve(res.headers['strict-transport-security']);
			}).on('error', reject);
		});
		expect(hsts).toBe('max-age=31536000');
	});

	it('serves signaling over WSS', async () => {
		const socket = new WebSocket(`${app.url.replace('https', 'wss')}/ws`, { ca });
		await new Promise((resolve, reject) => {
			socket.once('open', resolve);
			socket.once('error', reject);
		});
		const reply = await new Promise<{ error?: { code: string } }>((resolve) => {
			socket.once('message', (data) => resolve(JSON.parse(data.toString())));
			socket.send(JSON.stringify({ id: 1, type: 'transport/create', data: { direction: 'recv' } }));
		});
		expect(reply.error?.code).toBe('not_joined');
		socket.close();
	});

	it("opens the built-in welcome page from the cloud browser's egress proxy, with no trust in the service's certificate, and cannot reach the service itself", async () => {
		const agent = (await app.store.getUserByEmail('demo', account(app, 'agent').email))!;
		const session = await app.startSession(agent);
		await session.ready;
		await expect.poll(() => session.browserState.title, { timeout: 10_000 }).toBe('Welcome to Alongside');
		expect(session.browserState.url).toBe(WELCOME_URL);
		const cmdline = fs.readFileSync(`/proc/${session.browser.pid}/cmdline`, 'utf8');
		expect(cmdline).not.toContain('--ignore-certificate-errors');
		await expect(session.browser.navigate(`${app.url.replace('localhost', '127.0.0.1')}/healthz`)).rejects.toThrow(/cannot be opened/);
		await session.end('agent_ended');
	});

	it('no longer serves the welcome page itself', async () => {
		const status = await new Promise<number | undefined>((resolve, reject) => {
			https.get(`${app.url}/welcome/`, { ca }, (res) => {
				res.resume();
				resolve(res.statusCode);
			}).on('error', reject);
		});
		expect(status).toBe(404);
	});

	it('refuses plain HTTP on the TLS port', async () => {
		await expect(fetch(app.url.replace('https', 'http') + '/healthz')).rejects.toThrow();
	});
});
