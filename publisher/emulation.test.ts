import { describe, expect, it } from 'vitest';
import { shapeFor } from '../protocol/shape.js';
import { emulationCommands } from './emulation.js';

const DESKTOP = { width: 1280, height: 720 };
const params = (shape: ReturnType<typeof shapeFor>, method: string) => emulationCommands(shape, '156.0.7456.12', 'it-IT').find((c) => c.method === method)!.params as Record<string, any>;

describe('emulationCommands', () => {
	it("makes a phone: its viewport and screen, touch, and a phone's user agent and client hints", () => {
		const shape = shapeFor('phone', undefined, DESKTOP);
		expect(params(shape, 'Emulation.setDeviceMetricsOverride')).toMatchObject({ width: 390, height: 760, mobile: true, screenWidth: 390, screenHeight: 760, screenOrientation: { type: 'portraitPrimary', angle: 0 } });
		expect(params(shape, 'Emulation.setTouchEmulationEnabled')).toEqual({ enabled: true, maxTouchPoints: 5 });
		const ua = params(shape, 'Emulation.setUserAgentOverride');
		expect(ua.userAgent).toBe('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36');
		expect(ua.userAgentMetadata).toMatchObject({ platform: 'Android', mobile: true, fullVersion: '156.0.7456.12' });
		expect(ua.acceptLanguage).toBe('it-IT,it;q=0.9');
	});

	it('makes a desktop a normal Chrome, never "HeadlessChrome", without touch', () => {
		const shape = shapeFor('desktop', undefined, DESKTOP);
		expect(params(shape, 'Emulation.setDeviceMetricsOverride')).toEqual({ width: 1280, height: 720, deviceScaleFactor: 1, mobile: false });
		expect(params(shape, 'Emulation.setTouchEmulationEnabled')).toEqual({ enabled: false });
		const ua = params(shape, 'Emulation.setUserAgentOverride');
		expect(ua.userAgent).toMatch(/^Mozilla\/5\.0 \(X11; Linux x86_64\).* Chrome\/156\.0\.0\.0 Safari\/537\.36$/);
		expect(ua.userAgentMetadata).toMatchObject({ platform: 'Linux', mobile: false });
	});

	it('makes a tablet an Android device without "Mobile", and a landscape phone turned', () => {
		const tablet = params(shapeFor('tablet', undefined, DESKTOP), 'Emulation.setUserAgentOverride');
		expect(tablet.userAgent).toMatch(/Android 14; Pixel Tablet/);
		expect(tablet.userAgent).not.toMatch(/Mobile/);
		expect(params(shapeFor('phone-landscape', undefined, DESKTOP), 'Emulation.setDeviceMetricsOverride').screenOrientation).toEqual({ type: 'landscapePrimary', angle: 90 });
	});
});
