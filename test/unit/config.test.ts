import { describe, expect, it } from 'vitest';
import { ENV, loadConfig } from '#shared/config/env.ts';
import { ValidationError } from '#shared/domain/errors.ts';

describe('loadConfig', () => {
  it('reads exactly what the bindings declare', () => {
    const config = loadConfig(['table', 'email'], ['publish'], {
      [ENV.tableName]: 'paylas-prod',
      [ENV.emailFrom]: 'reports@paylas.example',
      [ENV.queueUrl('publish')]: 'https://sqs.eu-central-1.amazonaws.com/123/paylas-prod-publish',
      [ENV.stage]: 'prod',
    });
    expect(config).toEqual({
      stage: 'prod',
      tableName: 'paylas-prod',
      emailFrom: 'reports@paylas.example',
      queueUrls: { publish: 'https://sqs.eu-central-1.amazonaws.com/123/paylas-prod-publish' },
    });
    expect(ENV.queueUrl('report-due')).toBe('PAYLAS_QUEUE_REPORT_DUE_URL');
  });

  it('fails fast naming every missing or malformed variable', () => {
    expect(() => loadConfig(['table', 'bus', 'email'], [], { [ENV.emailFrom]: 'not-an-address' })).toThrow(ValidationError);
    try {
      loadConfig(['table', 'bus', 'email'], [], { [ENV.emailFrom]: 'not-an-address' });
    } catch (e) {
      const paths = (e as ValidationError).details.map((d) => d.path);
      expect(paths).toEqual([ENV.tableName, ENV.busName, ENV.emailFrom]);
      expect((e as Error).message).toMatch(/^configuration: PAYLAS_TABLE_NAME: /);
    }
  });
});
