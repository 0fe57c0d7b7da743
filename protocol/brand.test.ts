import { describe, expect, it } from 'vitest';
import { BrandColor, brandShades, contrastRatio, formatAgentName, sniffLogo } from './brand.js';

describe('brand', () => {
	it('measures contrast as WCAG does', () => {
		expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
		expect(contrastRatio('#0f766e', '#ffffff')).toBeGreaterThan(4.5);
		expect(contrastRatio('#facc15', '#ffffff')).toBeLessThan(2);
	});

	it('takes a colour white text is readable on, and refuses a light one with a reason', () => {
		expect(BrandColor.parse('#1E40AF')).toBe('#1e40af');
		const yellow = BrandColor.safeParse('#facc15');
		expect(yellow.success).toBe(false);
		expect(yellow.error?.issues[0]?.message).toMatch(/4\.5:1/);
		expect(BrandColor.safeParse('red').success).toBe(false);
	});

	it('derives a darker and a soft shade', () => {
		const s = brandShades('#1e40af');
		expect(contrastRatio(s.dark, '#ffffff')).toBeGreaterThan(contrastRatio('#1e40af', '#ffffff'));
		expect(contrastRatio(s.soft, '#000000')).toBeGreaterThan(15);
	});

	it('shows the agent as the company chose', () => {
		expect(formatAgentName('Marco Rossi', 'full')).toBe('Marco Rossi');
		expect(formatAgentName('Marco  de Rossi', 'first')).toBe('Marco');
		expect(formatAgentName('Marco Rossi', 'first_initial')).toBe('Marco R.');
		expect(formatAgentName('Cher', 'first_initial')).toBe('Cher');
	});

	it('knows a logo by its bytes, not by what it claims', () => {
		expect(sniffLogo(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
		expect(sniffLogo(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
		expect(sniffLogo(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
		expect(sniffLogo(new TextEncoder().encode('<svg onload="alert(1)">'))).toBeUndefined();
	});
});
