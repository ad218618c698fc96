import type { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors.ts';

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** Parses `input` or throws a ValidationError naming every field and the rule it broke. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, subject?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(toFieldIssues(result.error), subject);
  return result.data;
}
