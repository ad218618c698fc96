import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BusEvent } from './aws-endpoint.ts';

/**
 * The local bus's archive: every event put on the bus, kept in the twin's
 * queue store (dynalite) under its time, and replays over a time range, as
 * EventBridge's archive and StartReplay do. Replayed events carry
 * `replay-name`, like EventBridge's.
 */

const STORE_TABLE = 'paylas-twin-queues';
const eventsPartition = (bus: string) => `archive:${bus}`;
const REPLAYS = 'replays';

export interface LocalReplay {
  name: string;
  state: 'STARTING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  reason?: string;
  from: string;
  to: string;
  started: string;
  lastReplayed?: string;
  events?: number;
}

export class LocalArchive {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly bus: string,
  ) {}

  async keep(event: BusEvent): Promise<void> {
    await this.db.send(new PutCommand({ TableName: STORE_TABLE, Item: { queue: eventsPartition(this.bus), id: `${event.time}#${event.id}`, event } }));
  }

  async #between(from: Date, to: Date): Promise<BusEvent[]> {
    const events: BusEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: STORE_TABLE,
          KeyConditionExpression: '#q = :q AND id BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#q': 'queue' },
          ExpressionAttributeValues: { ':q': eventsPartition(this.bus), ':from': from.toISOString().replace(/\.\d{3}Z$/, 'Z'), ':to': `${to.toISOString().replace(/\.\d{3}Z$/, 'Z')}\uffff` },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) events.push(item.event as BusEvent);
      start = out.LastEvaluatedKey;
    } while (start);
    return events.filter((e) => Date.parse(e.time) >= from.getTime() && Date.parse(e.time) < to.getTime());
  }

  /** Re-delivers the archived events of [from, to) through `deliver`; the replay's state is kept for DescribeReplay. */
  async replay(name: string, from: Date, to: Date, now: Date, deliver: (event: BusEvent) => Promise<void>): Promise<LocalReplay> {
    if (await this.describe(name)) throw Object.assign(new Error(`Replay ${name} already exists.`), { type: 'ResourceAlreadyExistsException' });
    const replay: LocalReplay = { name, state: 'RUNNING', from: from.toISOString(), to: to.toISOString(), started: now.toISOString() };
    await this.#save(replay);
    const events = await this.#between(from, to);
    for (const event of events) {
      await deliver({ ...event, 'replay-name': name } as BusEvent);
      replay.lastReplayed = event.time;
    }
    const done: LocalReplay = { ...replay, state: 'COMPLETED', events: events.length };
    await this.#save(done);
    return { ...replay, state: 'STARTING' };
  }

  async describe(name: string): Promise<LocalReplay | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: STORE_TABLE, Key: { queue: REPLAYS, id: name } }));
    return out.Item?.replay as LocalReplay | undefined;
  }

  async #save(replay: LocalReplay): Promise<void> {
    await this.db.send(new PutCommand({ TableName: STORE_TABLE, Item: { queue: REPLAYS, id: replay.name, replay } }));
  }
}
