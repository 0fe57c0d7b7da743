/**
 * A bank statement as a PDF, written by hand (no library): black text with IBANs and card
 * numbers in magenta, over two pages, for the mask-leak test and bench.
 */

/** One PDF text line: position from the top in points, a label (dark) and an optional sensitive value (magenta). */
type Line = { y: number; label: string; value?: string };

const escape = (text: string) => text.replace(/[()\\]/g, (c) => `\\${c}`);

function pageContent(lines: Line[]): string {
	return lines
		.map(({ y, label, value }) => `BT /F1 15 Tf 0.13 0.13 0.13 rg 56 ${792 - y} Td (${escape(label)}) Tj${value ? ` 1 0 1 rg (${escape(value)}) Tj` : ''} ET`)
		.join('\n');
}

export function statementPdf(): Buffer {
	const pages: Line[][] = [0, 1].map((p) =>
		Array.from({ length: 18 }, (_, i): Line[] => {
			const n = p * 18 + i;
			return i % 3 === 0
				? [{ y: 60 + i * 38, label: `Transfer ${1000 + n} to IBAN `, value: 'GB82 WEST 1234 5698 7654 32' }]
				: i % 3 === 1
					? [{ y: 60 + i * 38, label: `Card payment ${n}: `, value: '4111 1111 1111 1111' }]
					: [{ y: 60 + i * 38, label: `Line ${n}: groceries, 42.10 EUR` }];
		}).flat(),
	);
	const objects: string[] = [];
	objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
	objects[2] = `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + 2 * i} 0 R`).join(' ')}] /Count ${pages.length} >>`;
	const font = 3 + 2 * pages.length;
	pages.forEach((lines, i) => {
		const stream = pageContent(lines);
		objects[3 + 2 * i] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${4 + 2 * i} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`;
		objects[4 + 2 * i] = `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`;
	});
	objects[font] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
	let out = '%PDF-1.4\n';
	const offsets: number[] = [];
	for (let i = 1; i < objects.length; i++) {
		offsets[i] = Buffer.byteLength(out);
		out += `${i} 0 obj\n${objects[i]}\nendobj\n`;
	}
	const xref = Buffer.byteLength(out);
	out += `xref\n0 ${objects.length}\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
	out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}
