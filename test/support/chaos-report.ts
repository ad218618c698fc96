import { FAULT_KINDS, type FaultReport } from '#infra/twin/faults.ts';
import type { Check } from './chaos-invariants.ts';

/** Faults injected by kind, summed over the twin's processes (a restart starts its counters again). */
export function sumFaults(reports: readonly FaultReport[]): Record<string, number> {
  const sum: Record<string, number> = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));
  for (const r of reports) for (const [k, n] of Object.entries(r.injected ?? {})) sum[k] = (sum[k] ?? 0) + n;
  return sum;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const num = (s: string | number, n: number) => String(s).padStart(n);

/**
 * Faults by kind: injected, survived, lost. A fault is survived when the run
 * kept every invariant; what was lost is counted by the invariants (below),
 * not per fault, since a loss can have several causes.
 */
export function faultTable(twin: Record<string, number>, driver: Record<string, number>, lost: number): string {
  const rows = [...Object.entries(twin).map(([k, n]) => [k, n, 'twin'] as const), ...Object.entries(driver).map(([k, n]) => [k, n, 'driver'] as const)];
  const lines = [`${pad('fault', 34)}${pad('by', 8)}${num('injected', 9)}${num('survived', 10)}${num('lost', 6)}`];
  for (const [kind, n, by] of rows) lines.push(`${pad(kind, 34)}${pad(by, 8)}${num(n, 9)}${num(lost === 0 ? n : '—', 10)}${num(lost === 0 ? 0 : '—', 6)}`);
  const total = rows.reduce((a, [, n]) => a + n, 0);
  lines.push(`${pad('total', 42)}${num(total, 9)}${num(lost === 0 ? total : '—', 10)}${num(lost, 6)}`);
  return lines.join('\n');
}

export function invariantTable(checks: readonly Check[]): string {
  const lines = [`${pad('invariant', 20)}${num('checked', 9)}${num('parked', 8)}${num('lost', 6)}`];
  for (const c of checks) lines.push(`${pad(c.name, 20)}${num(c.checked, 9)}${num(c.parked, 8)}${num(c.lost.length, 6)}`);
  return lines.join('\n');
}
