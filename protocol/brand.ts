/**
 * A company's brand on the customer's pages: its colour (checked for contrast: white text
 * on it must stay readable, WCAG AA 4.5:1), the shades derived from it, the logo's limits,
 * and how the agent's name is shown. Pure, shared by the server (which enforces) and the
 * admin page (which explains before saving).
 */
import { z } from 'zod';

/** The least contrast between white text and the brand colour (WCAG 2 AA, normal text). */
export const MIN_CONTRAST = 4.5;

/** The largest logo the service keeps, in bytes. */
export const LOGO_MAX_BYTES = 256 * 1024;
/** The logo formats taken (no SVG: it can carry script). */
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

/** How the agent's name is shown in a session: "Marco Rossi", "Marco", "Marco R.". */
export const AgentNameFormat = z.enum(['full', 'first', 'first_initial']);
export type AgentNameFormat = z.infer<typeof AgentNameFormat>;

/** An agent's account name as a session shows it. */
export function formatAgentName(name: string, format: AgentNameFormat): string {
	const parts = name.trim().split(/\s+/u).filter(Boolean);
	if (format === 'full' || parts.length < 2) return name.trim();
	if (format === 'first') return parts[0]!;
	return `${parts[0]} ${[...parts.at(-1)!][0]!.toUpperCase()}.`;
}

function channel(v: number): number {
	const c = v / 255;
	return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function rgb(hex: string): [number, number, number] {
	const n = Number.parseInt(hex.slice(1), 16);
	return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The relative luminance of `#rrggbb` (WCAG 2). */
export function luminance(hex: string): number {
	const [r, g, b] = rgb(hex);
	return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The contrast ratio of two `#rrggbb` colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
	return (hi + 0.05) / (lo + 0.05);
}

/** A brand colour: `#rrggbb` on which white text has at least {@link MIN_CONTRAST}. */
export const BrandColor = z
	.string()
	.regex(/^#[0-9a-fA-F]{6}$/, 'a colour written #rrggbb')
	.transform((hex) => hex.toLowerCase())
	.refine((hex) => contrastRatio(hex, '#ffffff') >= MIN_CONTRAST, {
		message: `white text on this colour is hard to read: it needs a contrast of at least ${MIN_CONTRAST}:1 (choose a darker colour)`,
	});

/** Mixes `#rrggbb` with white (`t` > 0) or black (`t` < 0) by |t|. */
function mix(hex: string, t: number): string {
	const target = t > 0 ? 255 : 0;
	const k = Math.abs(t);
	return `#${rgb(hex)
		.map((v) => Math.round(v + (target - v) * k).toString(16).padStart(2, '0'))
		.join('')}`;
}

/** The shades the pages use, from the brand colour: buttons, their hover, a soft background. */
export function brandShades(hex: string): { brand: string; dark: string; soft: string } {
	return { brand: hex, dark: mix(hex, -0.2), soft: mix(hex, 0.9) };
}

/** The logo's type from its first bytes (PNG, JPEG, WebP signatures), or undefined. */
export function sniffLogo(bytes: Uint8Array): LogoType | undefined {
	const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
	if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
	if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
	return undefined;
}
