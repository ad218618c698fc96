/** What the AWS messaging adapters share: batches of ten, and a back-off pause between retries. */
export const BATCH = 10;
export const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
