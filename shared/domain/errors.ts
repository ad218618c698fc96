/**
 * Typed domain errors. Adapters at the edge (HTTP, queues) map them to
 * responses by `code`; nothing below the edge throws a bare Error for a
 * condition a caller is expected to handle.
 */
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `targets.0.accountId`. */
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details: unknown;
  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Input broke a schema rule; `details` lists every field and rule. */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
  declare readonly details: FieldIssue[];
  constructor(issues: FieldIssue[], subject?: string) {
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super(subject ? `${subject}: ${summary}` : summary, issues);
  }
}

/** No credentials, or credentials that match nothing. */
export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

/** Authenticated, but this principal may not do this (e.g. a brand key creating brands). */
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
  constructor(kind: string, id: string) {
    super(`${kind} ${JSON.stringify(id)} does not exist`, { kind, id });
  }
}

/** The request is valid but the current state forbids it (e.g. editing a published post). */
export class StateConflictError extends DomainError {
  readonly code: string = 'state_conflict';
}

/**
 * A conditional write lost a race: the item changed (or appeared) since it was read.
 * Callers either re-read and retry or give up — never overwrite.
 */
export class ConcurrentModificationError extends StateConflictError {
  override readonly code = 'concurrent_modification';
  constructor(kind: string, id: string, expectedVersion?: number) {
    super(
      expectedVersion === undefined
        ? `${kind} ${JSON.stringify(id)} already exists`
        : `${kind} ${JSON.stringify(id)} changed since version ${expectedVersion} was read`,
      { kind, id, expectedVersion },
    );
  }
}
