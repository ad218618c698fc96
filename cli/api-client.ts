import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A failed API call: the API's own error code and message, ready for one line on stderr. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/** Usage errors (exit code 2). */
export class UsageError extends Error {}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Where the API is and which key to use: flags, then env, then the local twin's files. */
export function resolveTarget(flags: { url?: string; key?: string }, env = process.env) {
  const home = path.resolve(env.PAYLAS_HOME ?? '.paylas');
  const url = flags.url ?? env.PAYLAS_URL ?? (readJson(path.join(home, 'twin.json'))?.api as string | undefined) ?? 'http://127.0.0.1:3000';
  const key = flags.key ?? env.PAYLAS_API_KEY ?? (readJson(path.join(home, 'secrets.json'))?.PAYLAS_API_KEY as string | undefined);
  if (!key) throw new UsageError(`no API key: set PAYLAS_API_KEY or pass --key (the local twin keeps its key in ${path.join(home, 'secrets.json')})`);
  return { url: url.replace(/\/+$/, ''), key };
}

export class ApiClient {
  constructor(private readonly target: { url: string; key: string }) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const { res, text } = await this.#send(method, path, body, headers);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new ApiError(res.status, 'bad_response', `${method} ${path} answered ${res.status} with a body that is not JSON`, null);
    }
    if (!res.ok) throw this.#error(res.status, json);
    return json as T;
  }

  /** A route that answers with a document (HTML) rather than JSON. */
  async text(method: string, path: string): Promise<string> {
    const { res, text } = await this.#send(method, path);
    if (!res.ok) {
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: the status says enough
      }
      throw this.#error(res.status, json);
    }
    return text;
  }

  async #send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ res: Response; text: string }> {
    let res: Response;
    try {
      res = await fetch(`${this.target.url}${path}`, {
        method,
        headers: { ...headers, authorization: `Bearer ${this.target.key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (e) {
      throw new ApiError(0, 'unreachable', `cannot reach ${this.target.url} (${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}); is the twin running (npm start) or PAYLAS_URL right?`, null);
    }
    return { res, text: await res.text() };
  }

  #error(status: number, json: unknown): ApiError {
    const err = (json as { error?: { code: string; message: string; details: unknown }; message?: string } | null) ?? {};
    return new ApiError(status, err.error?.code ?? 'http_error', err.error?.message ?? err.message ?? `HTTP ${status}`, err.error?.details);
  }
}
