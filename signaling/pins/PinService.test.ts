import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/SqliteStore.js';
import { TooManyAttemptsError } from '../../protocol/errors.js';
import { InvalidPinError, PIN_LIMITS, PinService } from './PinService.js';

let store: SqliteStore;
let now: number;
let pins: PinService;

beforeEach(async () => {
	store = SqliteStore.open(':memory:');
	now = Date.UTC(2026, 10, 25, 12);
	pins = new PinService({ store, pepper: randomBytes(32), now: () => now });
	await store.createCompany({
		id: 'acme',
		name: 'Acme',
		settings: { announceSupervision: false, pinTtlSeconds: 600, brandName: null, startUrl: null, allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] },
		createdAt: now,
	});
});

afterEach(async () => {
	await store.close();
});

describe('PinService', () => {
	it('issues six-digit PINs and stores only their company-bound HMAC', async () => {
		const issued = await pins.issue('acme', 600, '10.0.0.1');
		expect(issued.pin).toMatch(/^\d{6}$/);
		expect(issued.expiresAt).toBe(now + 600_000);
		const stored = await store.findOpenPin(pins.lookup('acme', issued.pin), now);
		expect(stored?.companyId).toBe('acme');
		expect(JSON.stringify(stored)).not.toContain(issued.pin);
		expect(JSON.stringify(stored)).not.toContain(issued.watchToken);
	});

	it("finds a PIN only within its own company, answering another company's agent as if it did not exist", async () => {
		const issued = await pins.issue('acme', 600, '10.0.0.1');
		await expect(pins.find('acme', 'agent-1', issued.pin, '10.0.0.2')).resolves.toMatchObject({ companyId: 'acme' });
		const crossed = await pins.find('globex', 'agent-2', issued.pin, '10.0.0.3').catch((e: unknown) => e);
		const missing = await pins.find('globex', 'agent-2', '000000', '10.0.0.3').catch((e: unknown) => e);
		expect(crossed).toBeInstanceOf(InvalidPinError);
		expect(missing).toBeInstanceOf(InvalidPinError);
		expect(String(crossed)).toBe(String(missing));
	});

	it('does not find a PIN after it expires', async () => {
		const issued = await pins.issue('acme', 60, '10.0.0.1');
		now += 61_000;
		await expect(pins.find('acme', 'agent-1', issued.pin, '10.0.0.2')).rejects.toBeInstanceOf(InvalidPinError);
	});

	it('redeems a PIN once', async () => {
		const issued = await pins.issue('acme', 600, '10.0.0.1');
		const found = await pins.find('acme', 'agent-1', issued.pin, '10.0.0.2');
		expect(await pins.redeem(found, 'agent-1', 'session-1')).toBe(true);
		expect(await pins.redeem(found, 'agent-2', 'session-2')).toBe(false);
		await expect(pins.find('acme', 'agent-1', issued.pin, '10.0.0.2')).rejects.toBeInstanceOf(InvalidPinError);
	});

	it('locks an agent out after too many wrong PINs, until the lock expires', async () => {
		const issued = await pins.issue('acme', 3600, '10.0.0.1');
		for (let i = 0; i < PIN_LIMITS.agent.max; i++) {
			await expect(pins.find('acme', 'agent-1', '999999', `10.0.1.${i}`)).rejects.toBeInstanceOf(InvalidPinError);
		}
		const locked = await pins.find('acme', 'agent-1', '999999', '10.0.2.1').catch((e: unknown) => e);
		expect(locked).toBeInstanceOf(TooManyAttemptsError);
		expect((locked as TooManyAttemptsError).retryAfterSeconds).toBe(PIN_LIMITS.agent.lockMs / 1000);
		await expect(pins.find('acme', 'agent-1', issued.pin, '10.0.2.2')).rejects.toBeInstanceOf(TooManyAttemptsError);
		// Another agent of the company is not locked.
		await expect(pins.find('acme', 'agent-2', issued.pin, '10.0.2.3')).resolves.toBeTruthy();
		now += PIN_LIMITS.agent.lockMs + 1;
		await expect(pins.find('acme', 'agent-1', issued.pin, '10.0.2.4')).resolves.toBeTruthy();
	});

	it('locks an address that guesses through many agent accounts', async () => {
		for (let i = 0; i < PIN_LIMITS.address.max; i++) {
			await pins.find(`company-${i}`, `agent-${i}`, '999999', '10.9.9.9').catch(() => undefined);
		}
		await expect(pins.find('acme', 'fresh-agent', '999999', '10.9.9.9')).rejects.toBeInstanceOf(TooManyAttemptsError);
	});

	it('limits how many PINs one address can request', async () => {
		for (let i = 0; i < PIN_LIMITS.issue.max; i++) await pins.issue('acme', 600, '10.5.5.5');
		const refused = await pins.issue('acme', 600, '10.5.5.5').catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(TooManyAttemptsError);
		expect((refused as TooManyAttemptsError).code).toBe('rate_limited');
	});
});
