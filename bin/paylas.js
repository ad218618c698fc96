#!/usr/bin/env node
// The `paylas` CLI. It is TypeScript, run through tsx so it needs no build step.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
