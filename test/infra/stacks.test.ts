import { Duration, type CfnResource } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp, STAGE_NAME } from '#infra/build-app.ts';
import { describe, expect, it } from 'vitest';
import { defineWiring, wiringProblems, type Wiring } from '#infra/wiring/types.ts';
import { wiring as productWiring } from '#infra/wiring/wiring.ts';
import { ENV } from '#shared/config/env.ts';
import { METRIC, METRICS_NAMESPACE } from '#shared/observability/metrics.ts';
import { fullWiring } from '#test/fixtures/full-wiring.ts';
import { ofType, synth } from './synth.ts';

for (const [label, wiring] of [
  ['product wiring', productWiring],
  ['full fixture wiring', fullWiring],
] as const) {
  describe(`stacks from the ${label}`, () => {
    const s = synth(wiring as Wiring);

    it('synthesises with zero cdk-nag findings (AwsSolutions + Serverless), none unacknowledged', () => {
      expect(s.findings).toEqual([]);
      expect(s.error).toBeUndefined();
    });

    it('keeps the table safe: PITR, encryption, deletion protection, RETAIN, TTL, on-demand', () => {
      assertSafeTable(s.data);
    });

    it('builds every function as nodejs24.x on arm64, with its own log group and only its bindings', () => {
      const fns = ofType(s.app, 'AWS::Lambda::Function').map(([, r]) => r.Properties);
      expect(fns.map((f) => f.FunctionName).sort()).toEqual(Object.keys(wiring.functions).map((n) => `paylas-test-${n}`).sort());
      for (const f of fns) {
        expect(f.Runtime).toBe('nodejs24.x');
        expect(f.Architectures).toEqual(['arm64']);
        expect(f.TracingConfig).toEqual({ Mode: 'Active' });
        expect(f.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: expect.anything() });
        const name = String(f.FunctionName).replace('paylas-test-', '');
        const spec = (wiring as Wiring).functions[name]!;
        const env = Object.keys(f.Environment.Variables);
        expect(env.includes(ENV.tableName)).toBe(Boolean(spec.table));
        expect(env.includes(ENV.busName)).toBe(Boolean(spec.bus));
        expect(env.includes(ENV.emailFrom)).toBe(Boolean(spec.email));
        expect(env.includes(ENV.secretsPrefix)).toBe(Boolean(spec.secrets));
        for (const q of Object.keys(wiring.queues)) expect(env.includes(ENV.queueUrl(q))).toBe((spec.sendsTo ?? []).includes(q as never));
      }
      for (const [, lg] of ofType(s.app, 'AWS::Logs::LogGroup')) expect(lg.Properties.RetentionInDays).toBe(30);
    });

    it('never grants Scan or a wildcard index', () => {
      const statements = ofType(s.app, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
      const actions = statements.flatMap((st) => [st.Action].flat());
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions.filter((a) => a.endsWith(':*') || a === '*')).toEqual([]);
      expect(JSON.stringify(statements)).not.toContain('/index/*');
    });

    it('serves every route of the wiring', () => {
      const routes = ofType(s.app, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey).sort();
      expect(routes).toEqual(wiring.routes.map((r) => `${r.method} ${r.path}`).sort());
    });

    it('gives every queue a DLQ and every consumer partial batch failures', () => {
      const queues = ofType(s.app, 'AWS::SQS::Queue').map(([, q]) => q.Properties);
      for (const name of Object.keys(wiring.queues)) {
        const q = queues.find((x) => x.QueueName === `paylas-test-${name}`);
        expect(q?.RedrivePolicy, `queue ${name}`).toMatchObject({ maxReceiveCount: wiring.queues[name as never]!['maxReceiveCount'] });
        const consumer = (wiring as Wiring).functions[(wiring as Wiring).queues[name]!.consumer]!;
        expect(q?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.timeoutSeconds);
      }
      const mappings = ofType(s.app, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
      expect(mappings).toHaveLength(Object.keys(wiring.queues).length);
      for (const m of mappings) expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    });

    it('routes every rule into a queue and every schedule into a function, each with a DLQ', () => {
      assertDlqBackedTriggers(s.app, wiring as Wiring);
    });

    it('has a custom event bus with an archive', () => {
      s.app.resourceCountIs('AWS::Events::EventBus', 1);
      s.app.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: ['paylas'] } });
    });

    it('alarms on every dead-letter queue, publish lag, review and quarantine, into one topic, on the metrics the functions emit', () => {
      const alarms = ofType(s.app, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
      const topic = ofType(s.app, 'AWS::SNS::Topic');
      expect(topic).toHaveLength(1);
      const topicId = topic[0]![0];
      for (const a of alarms) {
        expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(a.OKActions).toEqual([{ Ref: topicId }]);
        expect(a.TreatMissingData).toBe('notBreaching');
      }
      const dlqAlarms = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
      expect(dlqAlarms.map((a) => a.AlarmName).sort()).toEqual(['delivery-dlq', ...Object.keys(wiring.queues).map((q) => `${q}-dlq`)].map((q) => `paylas-test-${q}-not-empty`).sort());
      for (const a of dlqAlarms) expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Namespace: 'AWS/SQS' });
      const emitted = (name: string) => alarms.find((a) => a.MetricName === name);
      expect(emitted(METRIC.publishLag)).toMatchObject({ Namespace: METRICS_NAMESPACE, ExtendedStatistic: 'p99', Threshold: 60_000, Dimensions: [{ Name: 'service', Value: 'publish-post' }] });
      expect(emitted(METRIC.needsReview)).toMatchObject({ Namespace: METRICS_NAMESPACE, Statistic: 'Sum', Threshold: 1, Dimensions: [{ Name: 'service', Value: 'publish-post' }] });
      expect(emitted(METRIC.quarantined)).toMatchObject({ Namespace: METRICS_NAMESPACE, Statistic: 'Sum', Threshold: 1, Dimensions: [{ Name: 'service', Value: 'webhook' }] });
    });
  });
}

function assertSafeTable(data: Template): void {
  data.hasResource('AWS::DynamoDB::GlobalTable', {
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: Match.objectLike({
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: Match.objectLike({ SSEEnabled: true }),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'due' })]),
    }),
  });
}

/** Every asynchronous path ends in a DLQ: rule targets, scheduled functions, queue consumers. */
function assertDlqBackedTriggers(app: Template, wiring: Wiring): void {
  const rules = ofType(app, 'AWS::Events::Rule').map(([, r]) => r.Properties);
  expect(rules.map((r) => r.Name).sort()).toEqual([...wiring.rules, ...wiring.schedules].map((r) => `paylas-test-${r.name}`).sort());
  const fns = ofType(app, 'AWS::Lambda::Function');
  const queues = ofType(app, 'AWS::SQS::Queue');
  for (const r of rules) {
    for (const target of r.Targets) {
      expect(target.DeadLetterConfig?.Arn, `a target of rule ${r.Name} has no DLQ`).toBeDefined();
      const fn = fns.find(([id]) => JSON.stringify(target.Arn).includes(`"${id}"`));
      if (fn) expect(fn[1].Properties.DeadLetterConfig, `function ${fn[1].Properties.FunctionName} is invoked async without a DLQ`).toBeDefined();
    }
    const schedule = wiring.schedules.find((x) => `paylas-test-${x.name}` === r.Name);
    if (schedule) expect(r.ScheduleExpression).toBe(schedule.expression);
  }
  for (const [, m] of ofType(app, 'AWS::Lambda::EventSourceMapping')) {
    const queue = queues.find(([id]) => JSON.stringify(m.Properties.EventSourceArn).includes(`"${id}"`));
    expect(queue?.[1].Properties.RedrivePolicy, 'a queue consumer reads a queue without a DLQ').toBeDefined();
  }
}

describe('a stack bound to an account and region (as `cdk deploy` makes it)', () => {
  it('synthesises with zero cdk-nag findings too', () => {
    const s = synth(productWiring as Wiring, undefined, { account: '123456789012', region: 'eu-central-1' });
    expect(s.findings).toEqual([]);
    expect(s.error).toBeUndefined();
  }, 180_000);
});

describe('the infra checks catch regressions', () => {
  it('a stage name that would not fit every resource name is refused before synth', () => {
    for (const stage of ['Prod', 'a-very-long-stage-name-x', '-prod', 'prod-', 'pro_d', '']) {
      expect(() => buildApp({ stage, wiring: productWiring, emailFrom: 'r@example.com' }), stage).toThrow(/stage .* must be 1-20/);
    }
    for (const stage of ['prod', 'dev-2', 'a', 'eu-central-staging1']) expect(STAGE_NAME.test(stage), stage).toBe(true);
  });

  it('a table without PITR fails the table check (a raw override cdk-nag cannot see)', () => {
    const s = synth(productWiring as Wiring, ({ stateful }) => {
      const cfn = stateful.table.node.defaultChild as CfnResource;
      cfn.addPropertyOverride('Replicas.0.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled', false);
    });
    expect(() => assertSafeTable(s.data)).toThrow();
  }, 180_000);

  it('a function triggered asynchronously without a DLQ fails the trigger check', () => {
    const s = synth(productWiring as Wiring, ({ stateless }) => {
      new Rule(stateless, 'Sneaky', { ruleName: 'paylas-test-sneaky', schedule: Schedule.rate(Duration.minutes(5)), targets: [new LambdaFunction(stateless.functions['api']!)] });
    });
    const extended = { ...productWiring, schedules: [...productWiring.schedules, { name: 'sneaky', description: '', expression: 'rate(5 minutes)', function: 'api' }] } as Wiring;
    expect(() => assertDlqBackedTriggers(s.app, extended)).toThrow(/has no DLQ/);
    expect(s.findings).toContain('error Serverless-EventBusDLQ at Paylas-test-App/Sneaky/Resource');
  }, 180_000);

  it('the wiring refuses a function nothing triggers, a short visibility timeout and a bad schedule', () => {
    const broken = {
      ...fullWiring,
      functions: { ...fullWiring.functions, orphan: { description: 'x', entry: 'functions/api/handler.ts', timeoutSeconds: 5, memoryMb: 128 } },
      queues: { work: { ...fullWiring.queues.work, visibilityTimeoutSeconds: 60 } },
      schedules: [{ ...fullWiring.schedules[0]!, expression: 'cron(0 8 * * MON *)' }],
    } as Wiring;
    expect(wiringProblems(broken)).toEqual([
      'queue work: visibility timeout 60 s is below 6 × worker\'s timeout (180 s)',
      'schedule "cron(0 8 * * MON *)": exactly one of day-of-month and day-of-week must be "?"',
      'function orphan: nothing triggers it (no route, queue or schedule)',
    ]);
    expect(() => defineWiring(broken)).toThrow(/invalid wiring/);
  });
});
