/**
 * The data layer: the generated OpenAPI client (openapi-fetch over src/client/schema.d.ts) with
 * bearer tokens, one refresh-and-retry on 401 (refresh tokens rotate, so concurrent 401s share one
 * refresh), and problem+json errors turned into ApiError.
 */
import createClient from 'openapi-fetch';
import type { paths } from '../client/schema';
import { getTokens, setTokens, type Tokens } from './tokens';
import { ApiError, toApiError } from './problem';

let refreshing: Promise<boolean> | null = null;

async function refreshTokens(baseFetch: typeof fetch): Promise<boolean> {
  const tokens = getTokens();
  if (!tokens) return false;
  try {
    const res = await baseFetch(
      new Request(absolute('/api/v1/auth/refresh'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      }),
    );
    if (!res.ok) {
      if (res.status === 401 || res.status === 403 || res.status === 400) setTokens(null);
      return false;
    }
    const next = (await res.json()) as Tokens;
    setTokens(next);
    return true;
  } catch {
    return false;
  }
}

function absolute(path: string): string {
  const origin =
    typeof location !== 'undefined' && location.origin !== 'null'
      ? location.origin
      : 'http://localhost';
  return new URL(path, origin).toString();
}

/** Refresh the access token now (one refresh shared by every caller); false if it failed. */
export function refreshAccessToken(
  baseFetch: typeof fetch = (...a) => fetch(...a),
): Promise<boolean> {
  refreshing ??= refreshTokens(baseFetch).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A fetch that signs requests with the access token and refreshes once on 401. */
export function makeAuthFetch(baseFetch: typeof fetch = (...a) => fetch(...a)) {
  return async function authFetch(input: Request): Promise<Response> {
    const retry = input.clone();
    const sign = (req: Request) => {
      const tokens = getTokens();
      if (tokens && !req.headers.has('Authorization')) {
        req.headers.set('Authorization', `Bearer ${tokens.access_token}`);
      }
      return req;
    };
    const hadToken = getTokens() !== null;
    const res = await baseFetch(sign(input));
    if (res.status !== 401 || !hadToken || input.url.includes('/auth/')) return res;
    const ok = await refreshAccessToken(baseFetch);
    if (!ok) return res;
    return baseFetch(sign(retry));
  };
}

export function makeClient(baseFetch?: typeof fetch) {
  const authFetch = makeAuthFetch(baseFetch);
  return createClient<paths>({
    baseUrl:
      typeof location !== 'undefined' && location.origin !== 'null'
        ? location.origin
        : 'http://localhost',
    fetch: authFetch,
  });
}

export const api = makeClient();

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call and returns its data, or throws ApiError with the problem. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (e) {
    if (e instanceof TypeError)
      throw new ApiError(0, { title: 'Offline', detail: 'You are offline.' });
    throw e;
  }
  const { data, error, response } = result;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}

/** A fresh Idempotency-Key for a write the client may retry. */
export function idempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
