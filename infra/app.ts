import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.ts';
import { wiring } from './wiring/wiring.ts';

const app = new App();
const context = (key: string, envName: string, fallback: string) => String(app.node.tryGetContext(key) ?? process.env[envName] ?? fallback);

const alarmEmail = app.node.tryGetContext('alarmEmail') ?? process.env.PAYLAS_ALARM_EMAIL;

buildApp({
  app,
  wiring,
  stage: context('stage', 'PAYLAS_STAGE', 'prod'),
  emailFrom: context('emailFrom', 'PAYLAS_EMAIL_FROM', 'reports@example.com'),
  ...(alarmEmail && { alarmEmail }),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
