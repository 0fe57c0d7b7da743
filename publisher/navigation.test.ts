import { describe, expect, it } from 'vitest';
import { NavigationError, navigationError } from './navigation.js';

const chromium = (code: string) => new Error(`net::${code} at https://10.0.0.1:8080/\n    at navigate (...)`);

describe('navigationError', () => {
	it('calls a failed tunnel refused only when the egress proxy refused something meanwhile', () => {
		expect(navigationError(chromium('ERR_TUNNEL_CONNECTION_FAILED'), true).reason).toBe('refused');
		expect(navigationError(chromium('ERR_TUNNEL_CONNECTION_FAILED'), false).reason).toBe('unreachable');
	});

	it('keeps Chromium\'s text, addresses and stack out of the message', () => {
		const error = navigationError(chromium('ERR_CONNECTION_REFUSED'), false);
		expect(error).toBeInstanceOf(NavigationError);
		expect(error.message).toBe('the site could not be reached');
		expect(error.netError).toBe('ERR_CONNECTION_REFUSED');
		expect(error.message).not.toMatch(/10\.0\.0\.1|net::|at /);
	});

	it('tells timeouts, certificates and interruptions apart', () => {
		expect(navigationError(Object.assign(new Error('Navigation timeout of 15000 ms exceeded'), { name: 'TimeoutError' }), false).reason).toBe('timeout');
		expect(navigationError(chromium('ERR_TIMED_OUT'), false).reason).toBe('timeout');
		expect(navigationError(chromium('ERR_CERT_AUTHORITY_INVALID'), false).reason).toBe('certificate');
		expect(navigationError(chromium('ERR_ABORTED'), true).reason).toBe('interrupted');
		expect(navigationError('something odd', false).reason).toBe('unreachable');
	});
});
