/**
 * What handlers build their use cases from, one module per group so a function
 * bundles (and loads the SDK clients of) only what it uses; import from those
 * modules. This one re-exports them.
 */
export { communityPlatformDeps } from './community-platform-deps.ts';
export { platformClients } from './platform-clients.ts';
export { publishingDeps } from './publishing-deps.ts';
export { reportDeps } from './report-deps.ts';
