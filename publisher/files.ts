/**
 * Files between the customer's device and the cloud page: what an upload field may take
 * (the service's limits and the field's own `accept`), and the names files are given.
 * Uploads go into the page as the browser's file chooser would (Tab.setFiles); downloads
 * are fetched by the page and offered to the customer only (CloudBrowser, Session).
 */

/** What customers may upload by default: common documents and images. */
export const DEFAULT_UPLOAD_TYPES = '.pdf,.png,.jpg,.jpeg,.gif,.webp,.heic,.txt,.csv,.doc,.docx,.xls,.xlsx,.odt,.ods';

/** One allowed kind of file: an extension (`.pdf`), a MIME type (`image/png`) or a family (`image/*`). */
export type FileType = string;

/** Parses a comma-separated list of file types (see {@link FileType}), or `any` (an empty list: all). @throws Error naming the bad entry's position */
export function parseFileTypes(value: string): FileType[] {
	const entries = value
		.split(',')
		.map((entry) => entry.trim().toLowerCase())
		.filter(Boolean);
	if (entries.length === 1 && entries[0] === 'any') return [];
	if (entries.length === 0) throw new Error('expected file types (.pdf, image/*) or any');
	entries.forEach((entry, i) => {
		if (!/^\.[a-z0-9]{1,12}$/.test(entry) && !/^[a-z]+\/([a-z0-9.+-]+|\*)$/.test(entry)) throw new Error(`entry ${i + 1} of ${entries.length} is not an extension (.pdf) or a MIME type (image/png, image/*)`);
	});
	return entries;
}

/** Whether a file (its name and declared type) is one of `types` (empty: any). */
export function matchesTypes(name: string, type: string, types: readonly FileType[]): boolean {
	if (types.length === 0) return true;
	const lower = name.toLowerCase();
	const mime = type.toLowerCase().split(';')[0]!.trim();
	return types.some((t) => (t.startsWith('.') ? lower.endsWith(t) : t.endsWith('/*') ? mime.startsWith(t.slice(0, -1)) : mime === t));
}

/**
 * Whether a file may go into a field: it is of a type the service allows and, when the
 * field says what it wants (`accept`), of one of those (as browsers judge it: by extension
 * or MIME type).
 */
export function uploadAllowed(name: string, type: string, allowed: readonly FileType[], accept: string): boolean {
	if (!matchesTypes(name, type, allowed)) return false;
	const wanted = accept
		.split(',')
		.map((t) => t.trim().toLowerCase())
		.filter((t) => /^\.[a-z0-9]{1,12}$/.test(t) || /^[a-z]+\/([a-z0-9.+-]+|\*)$/.test(t));
	return wanted.length === 0 || matchesTypes(name, type, wanted);
}

/**
 * A file name safe to show and to offer: its last path part, without control characters or
 * characters file systems refuse, at most 120 characters (its extension kept); `fallback`
 * when nothing is left.
 */
export function safeFileName(name: string, fallback = 'file'): string {
	const last = name.split(/[\\/]/).pop() ?? '';
	let clean = last.replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*\u202a-\u202e\u2066-\u2069]/g, '').replace(/^[.\s]+|[.\s]+$/g, '');
	// NOTE: counted and cut in code points: a cut through an emoji would leave half of it.
	const chars = Array.from(clean.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, ''));
	if (chars.length > 120) {
		const dot = chars.lastIndexOf('.');
		const ext = dot > 0 && chars.length - dot <= 13 ? chars.slice(dot) : [];
		clean = [...chars.slice(0, 120 - ext.length), ...ext].join('');
	} else {
		clean = chars.join('');
	}
	return clean || fallback;
}
