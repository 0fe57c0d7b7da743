import { describe, expect, it } from 'vitest';
import { Device, needsReload, shapeFor } from './shape.js';

const DESKTOP = { width: 1280, height: 720 };
const phone: Device = { width: 390, height: 789, dpr: 3, touch: true, mobile: true };

describe('shapeFor', () => {
	it("takes a phone customer's stage, in even pixels, with the pixel ratio lowered to the budget", () => {
		const shape = shapeFor('customer', phone, DESKTOP);
		expect(shape).toMatchObject({ name: 'customer', width: 390, height: 788, mobile: true, touch: true, form: 'phone' });
		// 390 × 788 × dpr² ≤ 1280 × 720: dpr ≤ 1.74, in quarters.
		expect(shape.dpr).toBe(1.5);
		expect(shape.width * shape.height * shape.dpr ** 2).toBeLessThanOrEqual(1280 * 720);
	});

	it('keeps a desktop customer on the desktop shape, and a tablet is a tablet', () => {
		expect(shapeFor('customer', { ...phone, mobile: false, width: 1500, height: 800 }, DESKTOP)).toMatchObject({ name: 'customer', width: 1280, height: 720, form: 'desktop', mobile: false });
		expect(shapeFor('customer', undefined, DESKTOP).form).toBe('desktop');
		expect(shapeFor('customer', { ...phone, width: 820, height: 1100, dpr: 2 }, DESKTOP)).toMatchObject({ form: 'tablet', dpr: 1 });
	});

	it('bounds what a device may ask for: tiny or huge stages, a pixel ratio never below 1', () => {
		expect(shapeFor('customer', { ...phone, width: 100, height: 9000, dpr: 0.5 }, DESKTOP)).toMatchObject({ width: 240, height: 1920, dpr: 1 });
	});

	it('has the stock shapes the agent picks from', () => {
		expect(shapeFor('phone', phone, DESKTOP)).toMatchObject({ width: 390, height: 760, form: 'phone' });
		expect(shapeFor('phone-landscape', undefined, DESKTOP)).toMatchObject({ width: 800, height: 360, form: 'phone' });
		expect(shapeFor('tablet', undefined, DESKTOP)).toMatchObject({ width: 820, height: 1100, form: 'tablet', touch: true });
		expect(shapeFor('desktop', phone, DESKTOP)).toEqual({ name: 'desktop', width: 1280, height: 720, dpr: 1, mobile: false, touch: false, form: 'desktop' });
	});

	it('reloads the page only when what it loaded as changes (not for a rotation)', () => {
		const portrait = shapeFor('customer', phone, DESKTOP);
		const landscape = shapeFor('customer', { ...phone, width: 844, height: 340 }, DESKTOP);
		expect(needsReload(portrait, landscape)).toBe(false);
		expect(needsReload(portrait, shapeFor('desktop', undefined, DESKTOP))).toBe(true);
		expect(needsReload(portrait, shapeFor('tablet', undefined, DESKTOP))).toBe(true);
	});

	it('names what is wrong in a device report', () => {
		const result = Device.safeParse({ ...phone, dpr: Number.NaN, width: 5 });
		expect(result.success).toBe(false);
		expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['dpr', 'width']);
	});
});
