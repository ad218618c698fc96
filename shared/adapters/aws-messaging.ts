/**
 * The AWS messaging adapters, one module per service so a function loads only
 * the SDK clients it uses; import from those modules. This one re-exports them.
 */
export { EventBridgePublisher } from './aws-event-bus.ts';
export { SesMailer } from './aws-ses-mailer.ts';
export { SqsMessageQueue, SqsPublishQueue } from './aws-sqs-queue.ts';
