/** Hands a file the app fetched to the browser as a download (an export), under `name`. */
export function saveFile(blob: Blob, name: string): void {
	if (typeof document === 'undefined') return;
	const url = URL.createObjectURL(blob);
	const link = Object.assign(document.createElement('a'), { href: url, download: name });
	document.body.append(link);
	link.click();
	link.remove();
	// NOTE: revoked later: some browsers start reading the URL after click() returns.
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
