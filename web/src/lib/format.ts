/**
 * Small, pure formatting helpers shared by the supervisor and admin pages. Numbers and dates
 * follow `locale` when given, else the language the apps speak now ({@link intlLocale}).
 */
import type { SessionEndReason } from '../../../protocol/wire';
import { intlLocale, t } from './i18n';

/**
 * Elapsed time as "45 s", "12 min", "1 h 05 min": the SI symbols read the same in English
 * and Italian; the numbers are written as `locale` writes them.
 */
export function formatDuration(ms: number, locale: string = intlLocale()): string {
	const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
	const s = Math.max(0, Math.floor(ms / 1000));
	if (s < 60) return `${number.format(s)} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${number.format(m)} min`;
	const twoDigits = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
	return `${number.format(Math.floor(m / 60))} h ${twoDigits.format(m % 60)} min`;
}

/** A clock time ("14:05") for today, else a short date and time. */
export function formatTime(at: number, now: number = Date.now(), locale: string = intlLocale()): string {
	const date = new Date(at);
	const sameDay = new Date(now).toDateString() === date.toDateString();
	return sameDay
		? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
		: date.toLocaleString(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** The host of a URL for a compact list ("shop.example.com"), or the text itself if it is not a URL. */
export function hostOf(url: string): string {
	try {
		return new URL(url).host || url;
	} catch {
		return url;
	}
}

/** An object as one short line of JSON, cut at `max` characters. */
export function compactJson(value: unknown, max = 160): string {
	let text: string;
	try {
		text = JSON.stringify(value) ?? '';
	} catch {
		text = String(value);
	}
	if (text === '{}') return '';
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}


/**
 * Whether a participant's role is worth showing next to their name. Customers have no
 * account and are named by their role ("Customer"); saying it twice reads as a bug.
 */
export function showsRole(name: string, roleLabel: string): boolean {
	return roleLabel !== '' && roleLabel.trim().toLowerCase() !== name.trim().toLowerCase();
}

/** A file size as people read it: 820 B, 14 KB, 2.5 MB (2,5 MB in Italian). */
export function formatSize(bytes: number, locale: string = intlLocale()): string {
	const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, useGrouping: false });
	if (bytes < 1024) return `${number.format(Math.round(bytes))} B`;
	if (bytes < 1024 * 1024) return `${number.format(Math.round(bytes / 1024))} KB`;
	return `${number.format(Math.round((bytes / (1024 * 1024)) * 10) / 10)} MB`;
}

/** Every way a session ends (the compiler keeps it whole), for {@link endReasonText}. */
const END_REASONS: Record<SessionEndReason, true> = {
	customer_ended: true,
	agent_ended: true,
	supervisor_ended: true,
	api_ended: true,
	idle: true,
	server_shutdown: true,
	browser_crashed: true,
	media_failed: true,
	internal_error: true,
};

/** How a session ended, in words; "unknown" for a reason this page does not know. */
export function endReasonText(reason: string | null | undefined): string {
	return t(reason && Object.hasOwn(END_REASONS, reason) ? `ended.${reason as SessionEndReason}` : 'ended.unknown');
}
