import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRIC, METRICS_NAMESPACE, OperationalMetrics } from '#shared/observability/metrics.ts';

/** The EMF lines written to stdout while `f` runs. */
function emitted(f: () => void): Record<string, any>[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    f();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, any>);
}

afterEach(() => vi.restoreAllMocks());

describe('operational metrics', () => {
  it('are embedded-metric-format lines in the namespace and with the service dimension the alarms watch', () => {
    const metrics = new OperationalMetrics('publish-post');
    const [line, ...rest] = emitted(() => {
      metrics.count(METRIC.published);
      metrics.milliseconds(METRIC.publishLag, 1234.4);
      metrics.flush();
    });
    expect(rest).toEqual([]);
    const directive = line!._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Dimensions).toEqual([['service']]);
    expect(directive.Metrics).toEqual(expect.arrayContaining([{ Name: 'Published', Unit: 'Count' }, { Name: 'PublishLag', Unit: 'Milliseconds' }]));
    expect(line).toMatchObject({ service: 'publish-post', Published: 1, PublishLag: 1234 });
  });

  it('write nothing for an invocation that recorded nothing, and a reason as its own dimension at once', () => {
    const metrics = new OperationalMetrics('webhook');
    expect(emitted(() => metrics.flush())).toEqual([]);
    const [line] = emitted(() => metrics.countBy(METRIC.webhookRejected, 'reason', 'bad_signature'));
    expect(line!._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['service', 'reason']));
    expect(line).toMatchObject({ service: 'webhook', reason: 'bad_signature', WebhookRejected: 1 });
  });
});
