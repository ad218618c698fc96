/** Polls until `check` returns a truthy value; fails with `what` after `limitMs` (a bound, not a speed assertion). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, limitMs = 20_000): Promise<NonNullable<T>> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
