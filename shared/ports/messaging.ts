import * as z from 'zod';
import type { DomainEvent } from '../domain/events.ts';
import { Id } from '../domain/primitives.ts';

/** A message on the publish queue: one target of one post. */
export const PublishMessage = z.object({ postId: Id, accountId: Id });
export type PublishMessage = z.infer<typeof PublishMessage>;

export interface MessageQueue<T> {
  /** Enqueues messages that become visible after `delaySeconds` (0–900). */
  enqueue(messages: readonly T[], delaySeconds: number): Promise<void>;
}
export type PublishQueue = MessageQueue<PublishMessage>;

export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export interface Mail {
  to: readonly string[];
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<string>;
}
