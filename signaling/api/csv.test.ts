import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('toCsv', () => {
	it('quotes what needs quoting and defuses formulas', () => {
		const csv = toCsv(['a', 'b'], [['plain', 'with, comma'], ['say "hi"', '=HYPERLINK("x")'], ['-1+1', 42], ['line\nbreak', '@sum']]);
		expect(csv).toBe('\uFEFFa,b\r\nplain,"with, comma"\r\n"say ""hi""","\'=HYPERLINK(""x"")"\r\n\'-1+1,42\r\n"line\nbreak",\'@sum\r\n');
	});
});
