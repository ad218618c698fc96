import { describe, expect, it } from 'vitest';
import { trustSandboxPlatform } from '#shared/config/sandbox-env.ts';
import { ENV } from '#shared/config/env.ts';
import { publicUrlProblem } from '#shared/domain/public-url.ts';

describe('the local twin’s sandbox media', () => {
  it('are accepted only from the configured sandbox origin, and only when one is configured', () => {
    const sandbox = 'http://127.0.0.1:8020/media/kahve.jpg';
    expect(publicUrlProblem(sandbox)).toMatch(/not a public address/);
    trustSandboxPlatform({}); // as on AWS: nothing configured, nothing trusted
    expect(publicUrlProblem(sandbox)).toMatch(/not a public address/);
    trustSandboxPlatform({ [ENV.platformEndpoint]: 'http://127.0.0.1:8020' });
    expect(publicUrlProblem(sandbox)).toBeUndefined();
    // Another port or host on loopback is still refused.
    expect(publicUrlProblem('http://127.0.0.1:8021/media/kahve.jpg')).toMatch(/not a public address/);
    expect(publicUrlProblem('http://169.254.169.254/latest/meta-data/')).toMatch(/not a public address/);
  });
});
