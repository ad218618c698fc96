/** Plain aligned tables for people; `--json` prints the API's JSON instead. */
export function table(rows: Record<string, unknown>[], columns: [key: string, title: string][]): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));
  const widths = columns.map(([key, title]) => Math.max(title.length, ...rows.map((r) => [...cell(r[key])].length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - [...c].length))).join('  ').trimEnd();
  return [line(columns.map(([, t]) => t)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map(([k]) => cell(r[k]))))].join('\n');
}

export function details(obj: Record<string, unknown>, keys: [key: string, label: string][]): string {
  const width = Math.max(...keys.map(([, l]) => l.length));
  return keys
    .filter(([k]) => obj[k] !== undefined)
    .map(([k, l]) => `${l.padEnd(width)}  ${typeof obj[k] === 'object' ? JSON.stringify(obj[k]) : String(obj[k])}`)
    .join('\n');
}
