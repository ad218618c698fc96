/** Every use case reads time through a Clock, so tests and the local twin can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved; for tests. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | string) {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  set(to: Date | string): void {
    this.#ms = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}

/**
 * Runs `factor` times faster than real time (the twin's time warp): at the real
 * instant `realOrigin` it reads `origin`, and one real second later it has
 * moved `factor` seconds.
 */
export function warpedClock(factor: number, origin: Date, realOrigin: Date = new Date(), real: Clock = systemClock): Clock {
  if (!(factor > 0)) throw new RangeError(`time-warp factor must be > 0, got ${factor}`);
  const realStart = realOrigin.getTime();
  const simStart = origin.getTime();
  return { now: () => new Date(simStart + (real.now().getTime() - realStart) * factor) };
}
