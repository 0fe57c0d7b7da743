import { describe, expect, it } from 'vitest';
import { DEFAULT_UPLOAD_TYPES, matchesTypes, parseFileTypes, safeFileName, uploadAllowed } from './files.js';

describe('file types', () => {
	it('parses extensions, MIME types and families, or any', () => {
		expect(parseFileTypes(' .PDF, image/*,text/csv ')).toEqual(['.pdf', 'image/*', 'text/csv']);
		expect(parseFileTypes('any')).toEqual([]);
		expect(() => parseFileTypes('.pdf,exe')).toThrow('entry 2 of 2');
		expect(() => parseFileTypes('')).toThrow('expected file types');
		expect(parseFileTypes(DEFAULT_UPLOAD_TYPES)).toContain('.pdf');
	});

	it('matches by extension, MIME type or family', () => {
		const types = parseFileTypes('.pdf,image/*');
		expect(matchesTypes('Statement.PDF', '', types)).toBe(true);
		expect(matchesTypes('photo', 'image/jpeg', types)).toBe(true);
		expect(matchesTypes('run.exe', 'application/x-msdownload', types)).toBe(false);
		expect(matchesTypes('anything.bin', '', [])).toBe(true);
	});

	it("takes a file into a field only when both the service and the field's accept allow it", () => {
		const allowed = parseFileTypes('.pdf,.png,.txt');
		expect(uploadAllowed('id.png', 'image/png', allowed, 'image/*')).toBe(true);
		expect(uploadAllowed('id.txt', 'text/plain', allowed, 'image/*')).toBe(false);
		expect(uploadAllowed('id.txt', 'text/plain', allowed, '')).toBe(true);
		expect(uploadAllowed('id.exe', '', allowed, '')).toBe(false);
		// NOTE: an accept the field wrote badly says nothing: the service's list decides.
		expect(uploadAllowed('id.txt', 'text/plain', allowed, 'garbage')).toBe(true);
	});
});

describe('safe file names', () => {
	it('keeps the last path part without control or reserved characters', () => {
		expect(safeFileName('../../etc/passwd')).toBe('passwd');
		expect(safeFileName('C:\\Users\\x\\report.csv')).toBe('report.csv');
		expect(safeFileName('invoice\u202egpj.exe')).toBe('invoicegpj.exe');
		expect(safeFileName('a<b>:"c|?*.txt')).toBe('abc.txt');
		expect(safeFileName('...')).toBe('file');
		expect(safeFileName('', 'download')).toBe('download');
	});

	it('never cuts a character in two, nor keeps half of one', () => {
		const name = safeFileName(`${'a'.repeat(119)}😀😀.txt`);
		expect(() => encodeURIComponent(name)).not.toThrow();
		expect(name.endsWith('.txt')).toBe(true);
		expect(() => encodeURIComponent(safeFileName('bad\uD800name.pdf'))).not.toThrow();
	});

	it('shortens long names, keeping the extension', () => {
		const name = safeFileName(`${'x'.repeat(300)}.pdf`);
		expect(name).toHaveLength(120);
		expect(name.endsWith('.pdf')).toBe(true);
	});
});
