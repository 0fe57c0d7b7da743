/**
 * CSV for exports people open in spreadsheets (RFC 4180, CRLF, a UTF-8 BOM so that Excel
 * reads accents). A cell that starts like a formula (=, +, -, @, tab, carriage return)
 * is prefixed with an apostrophe: an exported value must never run in the reader's
 * spreadsheet (CSV injection).
 */
export function toCsv(header: string[], rows: Array<Array<string | number>>): string {
	const line = (cells: Array<string | number>) => cells.map(cell).join(',');
	return `\uFEFF${[line(header), ...rows.map(line)].join('\r\n')}\r\n`;
}

function cell(value: string | number): string {
	let text = String(value);
	if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
