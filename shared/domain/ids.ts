import { randomUUID } from 'node:crypto';

/** New opaque identifier (UUID v4). */
export const newId = (): string => randomUUID();
