import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api';
import { companyBody, userChangeError } from './forms';

const form = { brandName: ' Demo Bank ', announceSupervision: true, pinTtlMinutes: '10', startUrl: '' };

describe('companyBody', () => {
	it('turns the form into the PATCH body: minutes to seconds, empty text to null', () => {
		expect(companyBody(form)).toEqual({ body: { brandName: 'Demo Bank', announceSupervision: true, pinTtlSeconds: 600, startUrl: null } });
		expect(companyBody({ ...form, brandName: '', startUrl: 'https://example.com/start' })).toEqual({
			body: { brandName: null, announceSupervision: true, pinTtlSeconds: 600, startUrl: 'https://example.com/start' },
		});
	});

	it('names the field that is wrong', () => {
		expect(companyBody({ ...form, pinTtlMinutes: '0' })).toMatchObject({ field: 'pinTtlMinutes' });
		expect(companyBody({ ...form, pinTtlMinutes: '61' })).toMatchObject({ field: 'pinTtlMinutes' });
		expect(companyBody({ ...form, pinTtlMinutes: '2.5' })).toMatchObject({ field: 'pinTtlMinutes' });
		expect(companyBody({ ...form, startUrl: 'ftp://example.com' })).toMatchObject({ field: 'startUrl' });
		expect(companyBody({ ...form, startUrl: 'example' })).toMatchObject({ field: 'startUrl' });
	});
});

describe('userChangeError', () => {
	it('explains a 409 by what was attempted', () => {
		const conflict = new ApiError(409, 'conflict', 'x');
		expect(userChangeError(conflict, true)).toBe('A user with this email already exists');
		expect(userChangeError(conflict, false)).toBe('You cannot remove the last admin');
		expect(userChangeError(new ApiError(400, 'bad_request', 'email: Invalid email address'), true)).toBe('email: Invalid email address');
	});
});
