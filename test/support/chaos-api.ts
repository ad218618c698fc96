/**
 * The management API as a platform or a person uses it while the backend is
 * under faults: a 5xx or a refused connection is tried again (bounded), with
 * the admin key. The base URL is read on every call (a restarted twin listens
 * elsewhere).
 */
export class ChaosApi {
  retried = 0;

  constructor(
    private readonly base: () => string,
    private readonly key: () => string,
  ) {}

  async request<T = Record<string, any>>(method: string, path: string, body?: unknown, options: { accept?: number[]; attempts?: number } = {}): Promise<{ status: number; body: T }> {
    const attempts = options.attempts ?? 30;
    let last = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const res = await fetch(`${this.base()}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.key()}`, 'content-type': 'application/json' },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        if (res.status < 500 || options.accept?.includes(res.status) || attempt + 1 >= attempts) return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
        last = `${res.status} ${text.slice(0, 200)}`;
      } catch (e) {
        last = (e as Error).message;
      }
      this.retried++;
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** Math.min(attempt, 6))));
    }
    throw new Error(`${method} ${path}: no answer after ${attempts} attempts (${last})`);
  }

  /** A 2xx answer's body; anything else throws with the answer. */
  async ok<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A request that is not idempotent (a create): sent once; anything but 2xx throws. */
  async once<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body, { attempts: 1 });
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Every item of a paged list (`items` + `nextCursor`). */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const res: { items: T[]; nextCursor: string | null } = await this.ok('GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...res.items);
      cursor = res.nextCursor;
      if (!cursor) return items;
    }
    throw new Error(`${path}: too many pages`);
  }
}
