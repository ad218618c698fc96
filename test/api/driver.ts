/** One API test case, several ways to reach the API: the handler in-process, or the twin over HTTP. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export interface ApiDriver {
  name: string;
  adminKey: string;
  request(method: string, path: string, options?: { body?: unknown; rawBody?: string | Buffer; key?: string | null; headers?: Record<string, string> }): Promise<ApiResponse>;
}

export function headersFor(key: string | null | undefined, adminKey: string, body: boolean, extra: Record<string, string> = {}) {
  const k = key === undefined ? adminKey : key;
  return { ...(k !== null && { authorization: `Bearer ${k}` }), ...(body && { 'content-type': 'application/json' }), ...extra };
}
