import { describe, expect, it } from 'vitest';
import { loadPublisherConfig } from './config.js';

describe('loadPublisherConfig', () => {
	it('lets the cloud browser reach public addresses only, as alongside-browser, by default', () => {
		const config = loadPublisherConfig({});
		expect(config.egressAllow).toEqual([]);
		expect(config.protectedPorts).toEqual([]);
		expect(config.browserUser).toBe('alongside-browser');
		expect(config.profileDir).toMatch(/\/alongside-profiles$/);
	});

	it('reads the egress allow-list, and names a bad entry by its position, never by its value', () => {
		expect(loadPublisherConfig({ ALONGSIDE_EGRESS_ALLOW: '10.1.0.0/16, 192.168.5.10:8443' }).egressAllow).toEqual([
			{ address: '10.1.0.0', prefixLength: 16 },
			{ address: '192.168.5.10', prefixLength: 32, port: 8443 },
		]);
		expect(() => loadPublisherConfig({ ALONGSIDE_EGRESS_ALLOW: '10.0.0.0/8,intranet.example' })).toThrow(/ALONGSIDE_EGRESS_ALLOW: entry 2 of 2 is not/);
		expect(() => loadPublisherConfig({ ALONGSIDE_EGRESS_ALLOW: 'intranet.example' })).not.toThrow(/intranet/);
	});
});
