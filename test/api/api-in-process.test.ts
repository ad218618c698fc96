import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { fromHandlerResult, matchRoute, toHttpApiEvent } from '#infra/twin/http-event.ts';
import { LOCAL_AWS } from '#infra/twin/local-services.ts';
import { wiring } from '#infra/wiring/wiring.ts';
import { invokeHttp } from '#test/support/http-functions.ts';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { ENV } from '#shared/config/env.ts';
import { adminKeySecretName, credentialsKeySecretName } from '#shared/config/secret-names.ts';
import { startDynalite, type LocalDynamo } from '#test/support/dynalite.ts';
import { apiCases } from './api-cases.ts';
import { headersFor, type ApiDriver } from './driver.ts';

/** Driver 1: the functions behind `/v1` called in-process with API Gateway v2 events, each as the wiring routes to it, on a real dynalite. */
let local: LocalDynamo;
let secretsDir: string;
let driver: ApiDriver;

beforeAll(async () => {
  local = await startDynalite('paylas-api-test');
  secretsDir = mkdtempSync(path.join(tmpdir(), 'paylas-secrets-'));
  const adminKey = 'pls_admin_in-process-test-key-0123456789';
  await new FileSecretStore(secretsDir).put(adminKeySecretName('paylas/test/'), adminKey);
  await new FileSecretStore(secretsDir).put(credentialsKeySecretName('paylas/test/'), randomBytes(32).toString('hex'));
  Object.assign(process.env, {
    [ENV.tableName]: local.tableName,
    [ENV.secretsPrefix]: 'paylas/test/',
    [ENV.secretsDir]: secretsDir,
    // The API cases schedule days ahead, so nothing is enqueued at once here; the twin driver covers that path.
    [ENV.queueUrl('publish')]: 'http://127.0.0.1:9/000000000000/publish',
    [ENV.queueUrl('replies')]: 'http://127.0.0.1:9/000000000000/replies',
    [ENV.busName]: 'paylas-api-test',
    [ENV.emailFrom]: 'reports@paylas.test',
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  driver = {
    name: 'in-process handler',
    adminKey,
    async request(method, url, options = {}) {
      const match = matchRoute(wiring.routes, method, url.split('?')[0]!);
      if (!match) return { status: 404, headers: {}, body: { message: 'Not Found' } };
      const raw = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const event = toHttpApiEvent(
        { method, url, headers: headersFor(options.key, adminKey, raw !== undefined, options.headers), body: raw === undefined ? Buffer.alloc(0) : Buffer.from(raw), sourceIp: '127.0.0.1' },
        match,
      );
      const out = fromHandlerResult(await invokeHttp(event));
      return { status: out.status, headers: out.headers as Record<string, string>, body: out.body.length ? JSON.parse(out.body.toString('utf8')) : null };
    },
  };
});
afterAll(async () => {
  await local?.stop();
  rmSync(secretsDir, { recursive: true, force: true });
});

describe('management API, handler in-process', () => apiCases(() => driver));
