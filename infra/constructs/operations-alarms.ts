import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IAlarm, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, serviceDimension } from '#shared/observability/metrics.ts';

export interface OperationsAlarmsProps {
  stage: string;
  /** Every dead-letter queue, by the name operators use (`publish-dlq`, `delivery-dlq`). */
  deadLetterQueues: Record<string, IQueue>;
  /** Where alarm notifications go (an SNS email subscription, confirmed once). */
  alarmEmail?: string;
}

/** Publish lag above this at p99 means posts go out visibly late. */
export const PUBLISH_LAG_P99_LIMIT_MS = 60_000;

/**
 * The alarms that say Paylaş is stuck, each explained in RUNBOOK.md under
 * its name: a dead-letter queue with messages, publish lag p99 over a minute,
 * posts parked for review, and a quarantine that grows.
 */
export class OperationsAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { topicName: `paylas-${props.stage}-alarms`, displayName: `Paylaş ${props.stage} alarms`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'Alarm notifications carry alarm names and figures only; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key would be the only fixed monthly cost of an idle install.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    /** One alarm: it fires on a single breaching period, notifies on the way back to OK, and an absent metric is quiet. */
    const add = (id: string, name: string, description: string, metric: IMetric, threshold: number, above: 'at-least' | 'over') => {
      const alarm = new Alarm(this, id, {
        alarmName: `paylas-${props.stage}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: above === 'at-least' ? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD : ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    const metric = (service: string, name: string, statistic: string, period: Duration) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: serviceDimension(service) }, statistic, period });

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      add(`${name}Alarm`, `${name}-not-empty`, `${name} holds messages that failed every retry. RUNBOOK.md: "dead-letter queue not empty".`, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), 1, 'at-least');
    }
    add(
      'PublishLagAlarm',
      'publish-lag',
      `Posts reach their platform more than ${PUBLISH_LAG_P99_LIMIT_MS / 1000} s after their time (p99 over 5 minutes). RUNBOOK.md: "publish lag".`,
      metric('publish-post', METRIC.publishLag, 'p99', Duration.minutes(5)),
      PUBLISH_LAG_P99_LIMIT_MS,
      'over',
    );
    add('NeedsReviewAlarm', 'needs-review', 'A post target was parked for a person: the platform may or may not have it. RUNBOOK.md: "needs review".', metric('publish-post', METRIC.needsReview, 'Sum', Duration.minutes(5)), 1, 'at-least');
    add(
      'QuarantineGrowingAlarm',
      'quarantine-growing',
      'Signed webhook deliveries Paylaş could not use were added to the quarantine. RUNBOOK.md: "quarantine growing".',
      metric('webhook', METRIC.quarantined, 'Sum', Duration.minutes(15)),
      1,
      'at-least',
    );
  }
}
