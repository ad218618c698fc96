import { describe, expect, it } from 'vitest';
import { parseCsv } from '#shared/domain/csv.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and drops a BOM', () => {
    const text = '\uFEFFdate,text\r\n2026-12-01,"Merhaba, dünya"\n2026-12-02,"Dedi ki ""evet""\nikinci satır"\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['date', 'text'] },
      { line: 2, fields: ['2026-12-01', 'Merhaba, dünya'] },
      { line: 3, fields: ['2026-12-02', 'Dedi ki "evet"\nikinci satır'] },
    ]);
  });
  it('keeps empty fields, skips blank lines, and refuses an unclosed quote', () => {
    expect(parseCsv('a,,c\n\n,b,\n')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 3, fields: ['', 'b', ''] },
    ]);
    expect(() => parseCsv('a,"b\n')).toThrow('line 1: a quoted field is not closed');
  });
});
