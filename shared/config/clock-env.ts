import { systemClock, warpedClock, type Clock } from '../domain/clock.ts';
import { ENV } from './env.ts';

/**
 * The clock handlers use: the system clock on AWS; in the local twin, the
 * twin's time-warped clock, described by one env var so every function and
 * the twin's scheduler agree on "now".
 */
export function clockFromEnv(env: Record<string, string | undefined> = process.env): Clock {
  const spec = env[ENV.clock];
  if (!spec) return systemClock;
  const m = /^warp:(\d+(?:\.\d+)?):(\d+):(\d+)$/.exec(spec);
  if (!m) throw new Error(`${ENV.clock}: expected warp:<factor>:<simulated origin ms>:<real origin ms>, got ${JSON.stringify(spec)}`);
  return warpedClock(Number(m[1]), new Date(Number(m[2])), new Date(Number(m[3])));
}

/**
 * How many simulated milliseconds pass per real one (1 on AWS). Durations that
 * guard a live worker — a publish lease — are real time: under a time warp they
 * are scaled by this, so a warped clock cannot expire a lease mid-call.
 */
export function clockWarpFactor(env: Record<string, string | undefined> = process.env): number {
  const m = /^warp:(\d+(?:\.\d+)?):/.exec(env[ENV.clock] ?? '');
  return m ? Math.max(1, Number(m[1])) : 1;
}

export function clockSpec(factor: number, simOrigin: Date, realOrigin: Date): string {
  return `warp:${factor}:${simOrigin.getTime()}:${realOrigin.getTime()}`;
}
