import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { CfnArchive } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { FunctionSpec, Wiring } from '#infra/wiring/types.ts';
import { wiring as productWiring } from '#infra/wiring/wiring.ts';
import { fullWiring } from '#test/fixtures/full-wiring.ts';
import { ofType, synth, TEST_EMAIL_FROM, TEST_STAGE, type Synthesised } from './synth.ts';

/*
 * Per-function least privilege, asserted exactly. For every function of the
 * wiring, the permissions its role holds in the synthesised template are
 * compared, as a set of "action on resource" pairs, with the permissions its
 * wiring entry implies: nothing more, nothing less. The template is read
 * after synthesis, so whatever adds to a role (a binding, an event source, a
 * DLQ, tracing) is seen, and statements merged by `minimizePolicies` compare
 * the same as separate ones.
 */

/** One permission, readable: `sqs:SendMessage on queue:publish`. */
type Grant = string;

const on = (actions: readonly string[], resources: readonly string[]): Grant[] => actions.flatMap((a) => resources.map((r) => `${a} on ${r}`));

/** What each kind of access allows, written out here rather than read from the bindings. */
const ACTIONS = {
  tableRead: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  tableWrite: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
  putEvents: ['events:PutEvents'],
  // SendMessageBatch is authorised by sqs:SendMessage; the queue URL comes from the environment.
  send: ['sqs:SendMessage'],
  // What the Lambda service needs to poll a queue for an event source mapping.
  consume: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  email: ['ses:SendEmail', 'ses:SendRawEmail'],
  secretsRead: ['secretsmanager:GetSecretValue'],
  // CreateSecret with tags needs TagResource as well.
  secretsWrite: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:TagResource'],
  // Read a dead-letter queue and move its messages back (the move also needs SendMessage on the source queue).
  redrive: ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks'],
  logs: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  xray: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
} as const;

/** An ARN as the template renders it for a stack not bound to an account and region. */
const arn = (service: string, resource: string) => `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
const secretsArn = (stage: string) => arn('secretsmanager', `secret:paylas/${stage}/*`);
const replaysArn = (stage: string) => arn('events', `replay/paylas-${stage}-*`);

/** What a function's expected grants are computed from: its wiring entry, the wiring's triggers, and the deployment. */
interface Expectation {
  wiring: Wiring;
  stage: string;
  emailFrom: string;
  /** Index names of the table, as the data stack declares them. */
  indexes: readonly string[];
  /** Functions whose tracing mode is Active in the template. */
  traced: ReadonlySet<string>;
}
type GrantRule = (name: string, spec: FunctionSpec, x: Expectation) => Grant[];

/**
 * What each wiring field grants. The mapped type makes a new FunctionSpec field
 * a compile error here until it says what it grants, so adding a kind of grant
 * is this one entry (plus a wildcard exception, if AWS leaves no narrower
 * resource). Fields that configure rather than grant are `none`.
 */
const FIELD_GRANTS: { [K in keyof FunctionSpec]-?: GrantRule | 'none' } = {
  description: 'none',
  entry: 'none',
  timeoutSeconds: 'none',
  memoryMb: 'none',
  // Items on the table; an index can only be queried.
  table: (_, spec, x) =>
    spec.table
      ? [
          ...on(spec.table === 'read' ? ACTIONS.tableRead : [...ACTIONS.tableRead, ...ACTIONS.tableWrite], ['table']),
          ...on(['dynamodb:Query'], x.indexes.map((i) => `table/index/${i}`)),
        ]
      : [],
  bus: (_, spec) => (spec.bus ? on(ACTIONS.putEvents, ['bus']) : []),
  sendsTo: (_, spec) => on(ACTIONS.send, (spec.sendsTo ?? []).map((q) => `queue:${q}`)),
  email: (_, spec, x) => {
    if (!spec.email) return [];
    // The verified identity is the address or its domain; nothing else may be a sender.
    const domain = x.emailFrom.split('@')[1]!;
    return on(ACTIONS.email, [arn('ses', `identity/${domain}`), arn('ses', `identity/${x.emailFrom}`)]);
  },
  secrets: (_, spec, x) =>
    spec.secrets ? on(spec.secrets === 'read' ? ACTIONS.secretsRead : [...ACTIONS.secretsRead, ...ACTIONS.secretsWrite], [secretsArn(x.stage)]) : [],
  // Every dead-letter queue (the delivery DLQ and one per queue) redriven to its source queue, and replays of the bus archive.
  operations: (_, spec, x) =>
    spec.operations
      ? [
          ...on(ACTIONS.redrive, ['dlq:delivery', ...Object.keys(x.wiring.queues).map((q) => `dlq:${q}`)]),
          ...on(ACTIONS.send, Object.keys(x.wiring.queues).map((q) => `queue:${q}`)),
          ...on(['events:StartReplay'], ['archive']),
          ...on(['events:DescribeReplay'], [replaysArn(x.stage)]),
        ]
      : [],
};

/** Grants that follow from how the wiring triggers a function and from the house function itself. */
const IMPLIED_GRANTS: Record<string, GrantRule> = {
  'its own log group': (name) => on(ACTIONS.logs, [`log-group:${name}`]),
  'active tracing': (name, _, x) => (x.traced.has(name) ? on(ACTIONS.xray, ['*']) : []),
  'the queues that trigger it': (name, _, x) =>
    on(
      ACTIONS.consume,
      Object.entries(x.wiring.queues)
        .filter(([, q]) => q.consumer === name)
        .map(([q]) => `queue:${q}`),
    ),
  // Lambda sends a scheduled (asynchronous) invocation that keeps failing to the function's DLQ, as the function's role.
  'its async-invoke DLQ': (name, _, x) => (x.wiring.schedules.some((s) => s.function === name) ? on(ACTIONS.send, ['dlq:delivery']) : []),
};

/**
 * The only resources with a wildcard a function may be granted, and only for
 * these actions. Each must also be acknowledged for cdk-nag on the role, with a
 * one-line reason.
 */
const wildcardExceptions = (stage: string) => [
  // X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions.
  { resource: '*', actions: [...ACTIONS.xray] as string[] },
  // Secrets Manager appends a random suffix to every secret ARN, and account secrets are created at run time.
  { resource: secretsArn(stage), actions: [...ACTIONS.secretsRead, ...ACTIONS.secretsWrite] as string[] },
  // A replay is named when an operator starts it; the name prefix is the narrowest resource.
  { resource: replaysArn(stage), actions: ['events:DescribeReplay'] },
];

function expectedGrants(name: string, spec: FunctionSpec, x: Expectation): { grants: Grant[]; unknownFields: string[] } {
  const grants = new Set<Grant>();
  const unknownFields: string[] = [];
  for (const [field, value] of Object.entries(spec)) {
    const rule = (FIELD_GRANTS as Record<string, GrantRule | 'none' | undefined>)[field];
    if (rule === undefined) {
      if (value !== undefined) unknownFields.push(field);
    } else if (rule !== 'none') rule(name, spec, x).forEach((g) => grants.add(g));
  }
  for (const rule of Object.values(IMPLIED_GRANTS)) rule(name, spec, x).forEach((g) => grants.add(g));
  return { grants: [...grants].sort(), unknownFields };
}

// ---------------------------------------------------------------------------
// Reading the synthesised templates

type Json = Record<string, any>;

/** Readable names for the resources a grant can point at, by logical id. */
function resourceLabels(s: Synthesised) {
  const id = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
  const app = new Map<string, string>();
  const st = s.stateless;
  for (const [n, q] of Object.entries(st.queues)) app.set(id(q), `queue:${n}`);
  for (const [n, q] of Object.entries(st.deadLetterQueues)) app.set(id(q), `dlq:${n}`);
  app.set(id(st.bus), 'bus');
  for (const c of st.node.findAll()) if (c instanceof CfnArchive) app.set(st.getLogicalId(c), 'archive');
  for (const [n, f] of Object.entries(st.functions)) {
    app.set(id(f), `function:${n}`);
    app.set(id(f.logGroupResource), `log-group:${n}`);
    app.set(id(f.role!), `role:${n}`);
  }
  const data = new Map<string, string>([
    [id(s.stateful.table), 'table'],
    [id(s.stateful.adminApiKey), 'secret:admin-api-key'],
  ]);
  return { app, data };
}

/** Renders a CloudFormation value: pseudo parameters as `<AWS::Region>` (as cdk-nag does), known resources by label. */
function resourceRenderer(s: Synthesised) {
  const labels = resourceLabels(s);
  const dataTemplate = s.data.toJSON() as Json;
  const exports = new Map<string, unknown>(
    Object.values((dataTemplate.Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>)
      .filter((o) => o.Export)
      .map((o) => [o.Export!.Name, o.Value]),
  );
  const render = (value: unknown, stack: 'app' | 'data'): string => {
    const label = (logicalId: string) => labels[stack].get(logicalId) ?? `?${stack}:${logicalId}`;
    if (typeof value === 'string') return value;
    const entries = value && typeof value === 'object' ? Object.entries(value) : [];
    if (entries.length === 1) {
      const [fn, arg] = entries[0]! as [string, any];
      if (fn === 'Ref') return String(arg).startsWith('AWS::') ? `<${arg}>` : `ref(${label(arg)})`;
      if (fn === 'Fn::GetAtt') return arg[1] === 'Arn' ? label(arg[0]) : `${label(arg[0])}.${arg[1]}`;
      if (fn === 'Fn::Join') return (arg[1] as unknown[]).map((p) => render(p, stack)).join(arg[0]);
      if (fn === 'Fn::ImportValue' && exports.has(arg)) return render(exports.get(arg), 'data');
    }
    return `?${JSON.stringify(value)}`;
  };
  return (value: unknown) => render(value, 'app');
}

interface Checked {
  name: string;
  statements: number;
  grants: Grant[];
  expected: Grant[];
}

/**
 * Compares every function role with what the wiring implies. Returns one line
 * per discrepancy (empty when every role holds exactly its grants) and what
 * was checked.
 */
function checkLeastPrivilege(s: Synthesised, wiring: Wiring): { findings: string[]; checked: Checked[] } {
  const findings: string[] = [];
  const checked: Checked[] = [];
  const render = resourceRenderer(s);
  const prefix = `paylas-${TEST_STAGE}-`;
  const app = s.app.toJSON() as Json;
  const policies = ofType(s.app, 'AWS::IAM::Policy').concat(ofType(s.data, 'AWS::IAM::Policy'));
  const table = ofType(s.data, 'AWS::DynamoDB::GlobalTable')[0]![1].Properties;
  const fns = ofType(s.app, 'AWS::Lambda::Function').map(([, r]) => r.Properties);
  const x: Expectation = {
    wiring,
    stage: TEST_STAGE,
    emailFrom: TEST_EMAIL_FROM,
    indexes: ((table.GlobalSecondaryIndexes ?? []) as { IndexName: string }[]).map((g) => g.IndexName),
    traced: new Set(fns.filter((f) => f.TracingConfig?.Mode === 'Active').map((f) => String(f.FunctionName).replace(prefix, ''))),
  };
  const exceptions = wildcardExceptions(TEST_STAGE);

  const roleOf = new Map<string, string>();
  for (const f of fns) {
    const name = String(f.FunctionName).replace(prefix, '');
    if (!(name in wiring.functions)) findings.push(`${f.FunctionName}: a function the wiring does not declare`);
    roleOf.set(name, f.Role['Fn::GetAtt'][0]);
  }
  for (const name of Object.keys(wiring.functions)) if (!roleOf.has(name)) findings.push(`${name}: declared in the wiring but not synthesised`);

  // No role or policy outside the function roles goes unchecked.
  const functionRoles = new Set(roleOf.values());
  for (const [id] of ofType(s.app, 'AWS::IAM::Role').concat(ofType(s.data, 'AWS::IAM::Role'))) {
    if (!functionRoles.has(id)) findings.push(`role ${id}: not a function role of the wiring, so nothing checks its grants`);
  }
  for (const [id, p] of policies) {
    const targets = [...(p.Properties.Roles ?? []), ...(p.Properties.Users ?? []), ...(p.Properties.Groups ?? [])] as unknown[];
    for (const t of targets) {
      const ref = (t as { Ref?: string }).Ref;
      if (!ref || !functionRoles.has(ref)) findings.push(`policy ${id}: attached to ${JSON.stringify(t)}, not a function role`);
    }
  }

  for (const [name, roleId] of roleOf) {
    const spec = wiring.functions[name];
    if (!spec) continue;
    const role = (app.Resources as Json)[roleId]?.Properties ?? {};
    for (const managed of role.ManagedPolicyArns ?? []) findings.push(`${name}: managed policy ${render(managed)} on its role`);
    const documents = [
      ...((role.Policies ?? []) as { PolicyDocument: Json }[]).map((p) => p.PolicyDocument),
      ...policies.filter(([, p]) => (p.Properties.Roles ?? []).some((r: { Ref?: string }) => r.Ref === roleId)).map(([, p]) => p.Properties.PolicyDocument as Json),
    ];
    const grants = new Set<Grant>();
    let statements = 0;
    for (const st of documents.flatMap((d) => d.Statement as Json[])) {
      statements++;
      if (st.Effect !== 'Allow' || st.NotAction || st.NotResource || st.NotPrincipal) {
        findings.push(`${name}: a statement the checker does not model: ${JSON.stringify(st)}`);
        continue;
      }
      const condition = st.Condition ? ` if ${JSON.stringify(st.Condition)}` : '';
      for (const g of on([st.Action].flat(), [st.Resource].flat().map(render))) grants.add(g + condition);
    }
    const { grants: expected, unknownFields } = expectedGrants(name, spec, x);
    for (const field of unknownFields) findings.push(`${name}: wiring field "${field}" has no entry in FIELD_GRANTS`);
    const actual = [...grants].sort();
    for (const g of actual) if (!expected.includes(g)) findings.push(`${name}: more than its wiring names: ${g}`);
    for (const g of expected) if (!grants.has(g)) findings.push(`${name}: missing what its wiring names: ${g}`);

    // Wildcards: only the exceptions, each acknowledged on the role with a one-line reason.
    const acks = acknowledgementsCovering(s.stateless.functions[name]!.role!);
    const wildcards = new Set<string>();
    for (const g of actual) {
      const [action, resource] = g.split(' on ') as [string, string];
      if (!resource.includes('*')) continue;
      wildcards.add(resource);
      if (!exceptions.some((e) => e.resource === resource && e.actions.includes(action))) findings.push(`${name}: wildcard resource without an AWS reason: ${g}`);
    }
    for (const resource of wildcards) {
      const reason = acks.get(`AwsSolutions-IAM5[Resource::${resource}]`);
      if (!reason || !isOneLine(reason)) findings.push(`${name}: wildcard ${resource} has no one-line cdk-nag acknowledgement on its role`);
    }
    checked.push({ name, statements, grants: actual, expected });
  }
  return { findings, checked };
}

const isOneLine = (reason: string) => reason.trim().length > 0 && !/[\r\n]/.test(reason);

/** Every cdk-nag acknowledgement recorded in the construct tree, with the path it was made on. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^Annotation::/, ''), reason: String(reason ?? '') }))),
  );
}

/** Acknowledgements that apply to a construct: made on it or on a scope above it. */
function acknowledgementsCovering(c: IConstruct): Map<string, string> {
  const out = new Map<string, string>();
  for (const scope of c.node.scopes) {
    for (const m of scope.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, unknown>)) out.set(id.replace(/^Annotation::/, ''), String(reason ?? ''));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------

const synthesised = {
  product: synth(productWiring as Wiring),
  fixture: synth(fullWiring as Wiring),
};

for (const [label, wiring, s] of [
  ['product wiring', productWiring as Wiring, synthesised.product],
  ['full fixture wiring', fullWiring as Wiring, synthesised.fixture],
] as const) {
  describe(`least privilege, from the ${label}`, () => {
    it('gives every function role exactly the grants its wiring entry implies', () => {
      const { findings, checked } = checkLeastPrivilege(s, wiring);
      expect(findings).toEqual([]);
      expect(checked.map((c) => c.name).sort()).toEqual(Object.keys(wiring.functions).sort());
      for (const c of checked) expect(c.grants, c.name).toEqual(c.expected);
      const grants = checked.flatMap((c) => c.grants);
      console.info(
        `least privilege (${label}): ${checked.length} functions, ${checked.reduce((n, c) => n + c.statements, 0)} statements, ${grants.length} action-resource grants, ${grants.filter((g) => g.split(' on ')[1]!.includes('*')).length} on wildcard resources`,
      );
    });

    it('has cdk-nag clean, with every acknowledgement naming a known rule and giving a one-line reason', () => {
      expect(s.findings).toEqual([]);
      expect(s.error).toBeUndefined();
      const acks = acknowledgements(s.cdkApp);
      expect(acks.length).toBeGreaterThan(0);
      // A cdk-nag rule of the two packs (a misspelt id silences nothing), or one of CDK's own warnings.
      const known = /^((AwsSolutions|Serverless)-[A-Za-z]+\d*(\[.+\])?|@aws-cdk\/.+)$/;
      expect(acks.filter((a) => !known.test(a.id) || !isOneLine(a.reason))).toEqual([]);
    });
  });
}

describe('the least-privilege check catches excess', () => {
  it('reports grants beyond the wiring that cdk-nag lets through, and an unexplained wildcard', () => {
    const s = synth(fullWiring as Wiring, ({ stateless, stateful }) => {
      const worker = stateless.functions['worker']!;
      worker.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [stateful.table.tableArn] }));
      stateless.bus.grantPutEventsTo(worker);
      worker.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['*'] }));
    });
    // cdk-nag sees nothing wrong: the role's X-Ray acknowledgement covers any `*` resource.
    expect(s.findings).toEqual([]);
    expect(checkLeastPrivilege(s, fullWiring as Wiring).findings.sort()).toEqual(
      [
        'worker: more than its wiring names: dynamodb:Scan on table',
        'worker: more than its wiring names: events:PutEvents on bus',
        'worker: more than its wiring names: ssm:GetParameter on *',
        'worker: wildcard resource without an AWS reason: ssm:GetParameter on *',
      ].sort(),
    );
  }, 180_000);

  describe('against a mutated wiring entry', () => {
    const s = synthesised.fixture;
    const mutate = (fn: string, change: (spec: FunctionSpec) => FunctionSpec): Wiring => ({
      ...(fullWiring as Wiring),
      functions: { ...(fullWiring as Wiring).functions, [fn]: change({ ...(fullWiring as Wiring).functions[fn]! }) },
    });

    it('reports what a binding grants beyond a narrower entry', () => {
      const w = mutate('api', ({ bus: _, ...spec }) => ({ ...spec, sendsTo: [], secrets: 'read' }));
      expect(checkLeastPrivilege(s, w).findings.sort()).toEqual(
        [
          'api: more than its wiring names: events:PutEvents on bus',
          'api: more than its wiring names: sqs:SendMessage on queue:work',
          ...ACTIONS.secretsWrite.map((a) => `api: more than its wiring names: ${a} on ${secretsArn(TEST_STAGE)}`),
        ].sort(),
      );
    });

    it('reports writes granted to an entry that only reads the table', () => {
      expect(checkLeastPrivilege(s, mutate('ticker', (spec) => ({ ...spec, table: 'read' }))).findings.sort()).toEqual(
        ACTIONS.tableWrite.map((a) => `ticker: more than its wiring names: ${a} on table`).sort(),
      );
    });

    it('reports what an entry names but the role lacks', () => {
      expect(checkLeastPrivilege(s, mutate('ticker', (spec) => ({ ...spec, email: true }))).findings.sort()).toEqual(
        ACTIONS.email.flatMap((a) => [`ticker: missing what its wiring names: ${a} on ${arn('ses', 'identity/paylas.example')}`, `ticker: missing what its wiring names: ${a} on ${arn('ses', `identity/${TEST_EMAIL_FROM}`)}`]).sort(),
      );
    });

    it('refuses a wiring field it has no grant rule for', () => {
      const w = mutate('worker', (spec) => ({ ...spec, replaysArchive: true }) as FunctionSpec);
      expect(checkLeastPrivilege(s, w).findings).toEqual(['worker: wiring field "replaysArchive" has no entry in FIELD_GRANTS']);
    });
  });
});
