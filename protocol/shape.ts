/**
 * The shape of the cloud browser's page: the device it pretends to be (its CSS viewport,
 * pixel ratio, touch, a phone's user agent). A customer on a phone gets their phone's
 * shape, so sites serve their mobile layout and the video fills the phone's screen; an
 * agent may pick another shape from the console. Shared by the server and the web apps.
 */
import { z } from 'zod';

/** What the agent may choose: the customer's own device, or a stock shape. */
export const ShapeName = z.enum(['customer', 'phone', 'phone-landscape', 'tablet', 'desktop']);
export type ShapeName = z.infer<typeof ShapeName>;

/** The sides a shape may have, CSS px (a phone's stage is narrower; a wide screen is capped). */
export const MIN_SIDE = 240;
export const MAX_SIDE = 1920;

/**
 * What a customer's page says about its device: the size of the area the video is shown in
 * (CSS px), its pixel ratio, and whether it is a touch device the size of a phone or a
 * tablet (`mobile`).
 */
export const Device = z.object({
	width: z.number().int().min(100).max(10_000),
	height: z.number().int().min(100).max(10_000),
	dpr: z.number().finite().min(0.5).max(5),
	touch: z.boolean(),
	mobile: z.boolean(),
});
export type Device = z.infer<typeof Device>;

/** A shape the cloud page takes. */
export interface Shape {
	name: ShapeName;
	/** CSS viewport; the video has this size in pixels. */
	width: number;
	height: number;
	/** The page's devicePixelRatio. */
	dpr: number;
	/** Mobile layout (a phone's or tablet's user agent, the viewport meta tag honoured). */
	mobile: boolean;
	touch: boolean;
	/** The user agent's form: a phone's ("Mobile" in it) or a tablet's. */
	form: 'phone' | 'tablet' | 'desktop';
}

/**
 * The shape for a choice. `desktop` is the configured viewport. `customer` follows the
 * customer's device when it is a phone or tablet, and is `desktop` otherwise (a desktop
 * customer's window is not a device to emulate). `budget`: the most pixels the page may
 * be drawn with (width × height × dpr²): a high pixel ratio costs the cloud browser
 * raster work on every frame, so it is lowered to fit.
 */
export function shapeFor(name: ShapeName, device: Device | undefined, desktop: { width: number; height: number }, budget = desktop.width * desktop.height): Shape {
	const stock = (width: number, height: number, dpr: number, form: Shape['form']): Shape => fit({ name, width, height, dpr, mobile: form !== 'desktop', touch: form !== 'desktop', form }, budget);
	switch (name) {
		case 'phone':
			return stock(390, 760, 3, 'phone');
		case 'phone-landscape':
			return stock(800, 360, 3, 'phone');
		case 'tablet':
			return stock(820, 1100, 2, 'tablet');
		case 'desktop':
			return { name, ...desktop, dpr: 1, mobile: false, touch: false, form: 'desktop' };
		case 'customer': {
			if (!device?.mobile) return { ...shapeFor('desktop', undefined, desktop, budget), name };
			const [width, height] = [clampSide(device.width), clampSide(device.height)];
			// NOTE: a tablet is a device whose shorter side is wider than a large phone's.
			return fit({ name, width, height, dpr: device.dpr, mobile: true, touch: device.touch, form: Math.min(width, height) > 600 ? 'tablet' : 'phone' }, budget);
		}
	}
}

/** A side within bounds, in even pixels (the video's encoder takes even sizes only: an odd one would lose a row). */
function clampSide(side: number): number {
	return Math.min(MAX_SIDE, Math.max(MIN_SIDE, 2 * Math.floor(side / 2)));
}

/** Lowers the pixel ratio (in quarters, not below 1) until the page fits the pixel budget. */
function fit(shape: Shape, budget: number): Shape {
	const most = Math.sqrt(budget / (shape.width * shape.height));
	const dpr = Math.max(1, Math.floor(Math.min(shape.dpr, most) * 4) / 4);
	return { ...shape, dpr };
}

/** Whether going from one shape to the other changes what the page was loaded as (its user agent, mobile layout): it must be reloaded. */
export function needsReload(from: Shape, to: Shape): boolean {
	return from.mobile !== to.mobile || from.form !== to.form || from.touch !== to.touch;
}
