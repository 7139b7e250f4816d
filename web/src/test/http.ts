/** A fake server for tests: routes "METHOD /path" to JSON answers and records every request. */
import { vi } from 'vitest';

export interface Recorded {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}

type Handler = (
  req: Recorded,
) =>
  | { status?: number; body?: unknown; contentType?: string }
  | Promise<{ status?: number; body?: unknown; contentType?: string }>;

export function fakeServer(routes: Record<string, Handler>) {
  const calls: Recorded[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(req.url);
    const text = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.text();
    const rec: Recorded = {
      method: req.method,
      path: url.pathname,
      search: url.search,
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(rec);
    const key = Object.keys(routes).find((k) => {
      const [m, p] = k.split(' ');
      if (m !== req.method) return false;
      const re = new RegExp('^' + p!.replace(/\{[^}]+\}/g, '[^/]+') + '$');
      return re.test(url.pathname);
    });
    if (!key)
      return new Response(
        JSON.stringify({
          title: 'Not Found',
          status: 404,
          detail: `No route ${req.method} ${url.pathname}`,
          code: 'not_found',
        }),
        { status: 404, headers: { 'Content-Type': 'application/problem+json' } },
      );
    const out = await routes[key]!(rec);
    const status = out.status ?? 200;
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(out.body ?? {}), {
      status,
      headers: {
        'Content-Type':
          out.contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json'),
      },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}
