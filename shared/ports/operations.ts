/** A dead-letter queue as an operator sees it. */
export interface DeadLetterQueueState {
  /** `<queue>-dlq`, or `delivery-dlq` for failed EventBridge deliveries and scheduled runs. */
  name: string;
  /** The queue its messages came from and go back to on a redrive (none for `delivery-dlq`). */
  source?: string;
  /** Approximate, as SQS reports it. */
  messages: number;
  inFlight: number;
}

export interface DeadLetterMessage {
  id: string;
  body: string;
  /** Receives of the message so far, including those on its source queue. */
  receiveCount: number;
  sentAt?: string;
}

/** The dead-letter queues: SQS on AWS, the twin's queues locally. */
export interface DeadLetters {
  list(): Promise<DeadLetterQueueState[]>;
  /** One queue's state; undefined for a name that is not a dead-letter queue of this install. */
  state(name: string): Promise<DeadLetterQueueState | undefined>;
  /** Up to `max` (≤ 10) messages, left in the queue and visible. */
  peek(name: string, max: number): Promise<DeadLetterMessage[]>;
  /** Moves every message back to its source queue (an SQS message move task). */
  redrive(name: string): Promise<{ taskHandle: string }>;
}

export interface ReplayState {
  name: string;
  state: string;
  reason?: string;
  from: string;
  to: string;
  lastReplayed?: string;
}

/** The bus archive: EventBridge on AWS, the twin's archive locally. */
export interface EventArchive {
  replay(name: string, from: Date, to: Date): Promise<ReplayState>;
  describe(name: string): Promise<ReplayState | undefined>;
}
