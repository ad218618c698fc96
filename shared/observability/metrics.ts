import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The operational metrics, one list for the functions that emit them and the
 * alarms that watch them. They are written as CloudWatch embedded metric
 * format (EMF) log lines, so emitting one costs no API call and no IAM grant:
 * CloudWatch extracts them from the function's log group.
 */
export const METRICS_NAMESPACE = 'Paylas';

export const METRIC = {
  /** A post target went out (count). */
  published: 'Published',
  /** A post target failed for good (count). */
  publishFailed: 'PublishFailed',
  /** A post target was parked for a person: the platform may or may not have it (count). */
  needsReview: 'NeedsReview',
  /** Milliseconds from a target's scheduled time to the platform accepting it. */
  publishLag: 'PublishLag',
  /** A webhook delivery refused (count), with the reason as a dimension. */
  webhookRejected: 'WebhookRejected',
  /** A signed webhook delivery kept in quarantine (count). */
  quarantined: 'Quarantined',
  /** Quarantine entries of the last 14 days waiting for a replay (gauge, every five minutes while there are any). */
  quarantineSize: 'QuarantineSize',
} as const;

/** The `service` dimension of a function's metrics: its wiring name. */
export const serviceDimension = (functionName: string) => functionName;

/**
 * A function's metrics. `flush` writes what was recorded during one invocation
 * (nothing when nothing was recorded, so idle runs print no empty EMF lines).
 */
export class OperationalMetrics {
  readonly #metrics: Metrics;
  #recorded = false;

  constructor(functionName: string) {
    this.#metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: serviceDimension(functionName) });
  }

  count(name: (typeof METRIC)[keyof typeof METRIC], value = 1): void {
    this.#metrics.addMetric(name, MetricUnit.Count, value);
    this.#recorded = true;
  }

  milliseconds(name: (typeof METRIC)[keyof typeof METRIC], value: number): void {
    this.#metrics.addMetric(name, MetricUnit.Milliseconds, Math.max(0, Math.round(value)));
    this.#recorded = true;
  }

  /** A count with one extra dimension (e.g. the reason a webhook was refused), written at once. */
  countBy(name: (typeof METRIC)[keyof typeof METRIC], dimension: string, value: string): void {
    const single = this.#metrics.singleMetric();
    single.addDimension(dimension, value.slice(0, 250) || 'unknown');
    single.addMetric(name, MetricUnit.Count, 1);
  }

  flush(): void {
    if (!this.#recorded) return;
    this.#recorded = false;
    this.#metrics.publishStoredMetrics();
  }
}
