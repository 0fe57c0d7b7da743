/**
 * The CDP commands that make the cloud page take a shape (see protocol/shape.ts): its
 * viewport and pixel ratio, touch, and a user agent (with client hints) that matches it.
 * Measured on Debian's Chromium 156, headless: the metrics override resizes the captured
 * view by itself (no window resize; one made meanwhile is lost), and a tab capture whose
 * size bounds allow any shape then delivers frames of the CSS viewport's size, whatever
 * the pixel ratio (never scaled up: a pixel ratio of 2 does not make frames twice as
 * large). The user agent override reaches the next document's requests (Sec-CH-UA-Mobile)
 * and navigator.userAgentData at once; media queries and the viewport meta tag of the
 * document already loaded only follow on reload.
 */
import type { Shape } from '../protocol/shape.js';

/** One CDP command of a page's emulation. */
export interface EmulationCommand {
	method: 'Emulation.setDeviceMetricsOverride' | 'Emulation.setTouchEmulationEnabled' | 'Emulation.setUserAgentOverride' | 'Emulation.setLocaleOverride' | 'Emulation.setTimezoneOverride';
	params: Record<string, unknown>;
}

/** Stand-in device names in the user agent (sites read "Mobile" and the OS, not the model). */
const PHONE_MODEL = 'Pixel 8';
const TABLET_MODEL = 'Pixel Tablet';

/**
 * The commands for `shape`, in order. `version` is the browser's full version (e.g.
 * "156.0.7456.0"); `lang` its language. The user agent names a normal Chrome, never
 * "HeadlessChrome" (which many sites refuse or treat as a bot).
 */
export function emulationCommands(shape: Shape, version: string, lang: string): EmulationCommand[] {
	const major = version.split('.')[0] ?? '0';
	const brands = [
		{ brand: 'Chromium', version: major },
		{ brand: 'Not.A/Brand', version: '99' },
	];
	const fullVersionList = [
		{ brand: 'Chromium', version },
		{ brand: 'Not.A/Brand', version: '99.0.0.0' },
	];
	// NOTE: the reduced user agent string Chrome sends today: the minor version is zeros.
	const reduced = `${major}.0.0.0`;
	const desktop = shape.form === 'desktop';
	const model = shape.form === 'tablet' ? TABLET_MODEL : PHONE_MODEL;
	const userAgent = desktop
		? `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${reduced} Safari/537.36`
		: `Mozilla/5.0 (Linux; Android 14; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${reduced} ${shape.form === 'phone' ? 'Mobile ' : ''}Safari/537.36`;
	const portrait = shape.height >= shape.width;
	const commands: EmulationCommand[] = [
		desktop
			? { method: 'Emulation.setDeviceMetricsOverride', params: { width: shape.width, height: shape.height, deviceScaleFactor: 1, mobile: false } }
			: {
					method: 'Emulation.setDeviceMetricsOverride',
					params: {
						width: shape.width,
						height: shape.height,
						deviceScaleFactor: shape.dpr,
						mobile: shape.mobile,
						screenWidth: shape.width,
						screenHeight: shape.height,
						screenOrientation: portrait ? { type: 'portraitPrimary', angle: 0 } : { type: 'landscapePrimary', angle: 90 },
					},
				},
		{ method: 'Emulation.setTouchEmulationEnabled', params: shape.touch ? { enabled: true, maxTouchPoints: 5 } : { enabled: false } },
		{
			method: 'Emulation.setUserAgentOverride',
			params: {
				userAgent,
				acceptLanguage: acceptLanguage(lang),
				platform: desktop ? 'Linux x86_64' : 'Linux armv8l',
				userAgentMetadata: {
					brands,
					fullVersionList,
					fullVersion: version,
					platform: desktop ? 'Linux' : 'Android',
					platformVersion: desktop ? '6.1.0' : '14.0.0',
					architecture: desktop ? 'x86' : 'arm',
					bitness: '64',
					model: desktop ? '' : model,
					mobile: shape.form === 'phone',
				},
			},
		},
	];
	return commands;
}

/**
 * The commands that give pages a language and a time zone (the customer's): `Intl` and
 * dates read them; `navigator.language` and `Accept-Language` follow the user agent
 * override's `acceptLanguage` (see {@link emulationCommands}). No time zone: the machine's.
 */
export function localeCommands(lang: string, timeZone: string | undefined): EmulationCommand[] {
	return [
		{ method: 'Emulation.setLocaleOverride', params: { locale: lang } },
		...(timeZone ? [{ method: 'Emulation.setTimezoneOverride' as const, params: { timezoneId: timeZone } }] : []),
	];
}

/** Accept-Language for a language: `it-IT,it;q=0.9`, or `it` alone. */
export function acceptLanguage(lang: string): string {
	const base = lang.split('-')[0];
	return base && base !== lang ? `${lang},${base};q=0.9` : lang;
}
