import { describe, expect, it } from 'vitest';
import { isPdfResponse, pdfViewerHtml } from './pdf.js';

describe('PDFs in the viewer', () => {
	it('knows a PDF by its content type, or an octet stream named .pdf', () => {
		const type = (value: string) => [{ name: 'Content-Type', value }];
		expect(isPdfResponse(type('application/pdf'), 'https://bank.example/s')).toBe(true);
		expect(isPdfResponse(type('application/x-pdf; charset=binary'), 'https://bank.example/s')).toBe(true);
		expect(isPdfResponse(type('application/octet-stream'), 'https://bank.example/files/Statement.PDF')).toBe(true);
		expect(isPdfResponse(type('application/octet-stream'), 'https://bank.example/files/data.bin')).toBe(false);
		expect(isPdfResponse(type('text/html'), 'https://bank.example/a.pdf')).toBe(false);
		expect(isPdfResponse([], 'https://bank.example/a.pdf')).toBe(false);
	});

	it('puts the PDF and pdf.js in one page that nothing in them can break out of', () => {
		const html = pdfViewerHtml(Buffer.from('%PDF-1.4 </script><script>alert(1)</script>'), 'https://bank.example/%3Cimg%20src%3Dx%3E.pdf');
		expect(html).toContain('<title>&#60;img src=x&#62;.pdf</title>');
		// Exactly one script element: no source or byte sequence ends it early.
		expect(html.match(/<script/g)).toHaveLength(1);
		expect(html.match(/<\/script>/g)).toHaveLength(1);
		expect(html).toContain(Buffer.from('%PDF-1.4 </script><script>alert(1)</script>').toString('base64'));
	});
});
