import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer } from '../test/http';
import { makeClient, unwrap } from './api';
import { ApiError } from './problem';
import { getTokens, setTokens } from './tokens';

afterEach(() => vi.unstubAllGlobals());

describe('data layer', () => {
  it('sends the access token as a bearer header', async () => {
    setTokens({ access_token: 'A1', refresh_token: 'R1' });
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({
        body: {
          id: 'u1',
          phone: '+358',
          name: 'Asha',
          email: null,
          roles: ['customer'],
          store_id: null,
        },
      }),
    });
    const me = await unwrap(makeClient().GET('/api/v1/me'));
    expect(me.name).toBe('Asha');
    expect(calls[0]!.headers.get('Authorization')).toBe('Bearer A1');
  });

  it('refreshes once on 401, stores the rotated pair and retries the request', async () => {
    setTokens({ access_token: 'old', refresh_token: 'R1' });
    const { calls } = fakeServer({
      'GET /api/v1/me': (req) =>
        req.headers.get('Authorization') === 'Bearer new'
          ? {
              body: {
                id: 'u1',
                phone: '+358',
                name: 'Asha',
                email: null,
                roles: ['customer'],
                store_id: null,
              },
            }
          : {
              status: 401,
              body: {
                title: 'Unauthorized',
                status: 401,
                detail: 'Token expired',
                code: 'token_expired',
              },
            },
      'POST /api/v1/auth/refresh': (req) => {
        expect(req.body).toEqual({ refresh_token: 'R1' });
        return {
          body: { access_token: 'new', refresh_token: 'R2', token_type: 'bearer', expires_in: 900 },
        };
      },
    });
    const me = await unwrap(makeClient().GET('/api/v1/me'));
    expect(me.id).toBe('u1');
    expect(getTokens()).toEqual({ access_token: 'new', refresh_token: 'R2' });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/v1/me',
      'POST /api/v1/auth/refresh',
      'GET /api/v1/me',
    ]);
  });

  it('shares one refresh between concurrent 401s (refresh tokens are single-use)', async () => {
    setTokens({ access_token: 'old', refresh_token: 'R1' });
    let refreshes = 0;
    fakeServer({
      'GET /api/v1/me': (req) =>
        req.headers.get('Authorization') === 'Bearer new'
          ? { body: { id: 'u1', phone: '+1', name: 'A', email: null, roles: [], store_id: null } }
          : { status: 401, body: { title: 'Unauthorized', status: 401 } },
      'POST /api/v1/auth/refresh': async () => {
        refreshes += 1;
        await new Promise((r) => setTimeout(r, 10));
        return {
          body: { access_token: 'new', refresh_token: 'R2', token_type: 'bearer', expires_in: 900 },
        };
      },
    });
    const client = makeClient();
    await Promise.all([
      unwrap(client.GET('/api/v1/me')),
      unwrap(client.GET('/api/v1/me')),
      unwrap(client.GET('/api/v1/me')),
    ]);
    expect(refreshes).toBe(1);
  });

  it('signs out when the refresh token is refused, and surfaces the 401', async () => {
    setTokens({ access_token: 'old', refresh_token: 'spent' });
    fakeServer({
      'GET /api/v1/me': () => ({
        status: 401,
        body: { title: 'Unauthorized', status: 401, detail: 'Token expired' },
      }),
      'POST /api/v1/auth/refresh': () => ({
        status: 401,
        body: { title: 'Unauthorized', status: 401, detail: 'Refresh token reused' },
      }),
    });
    await expect(unwrap(makeClient().GET('/api/v1/me'))).rejects.toMatchObject({ status: 401 });
    expect(getTokens()).toBeNull();
  });

  it('does not try to refresh when nobody is signed in', async () => {
    const { calls } = fakeServer({
      'GET /api/v1/cart': () => ({ status: 401, body: { title: 'Unauthorized', status: 401 } }),
    });
    await expect(unwrap(makeClient().GET('/api/v1/cart'))).rejects.toBeInstanceOf(ApiError);
    expect(calls).toHaveLength(1);
  });

  it('turns problem+json into ApiError with detail, code and field errors', async () => {
    fakeServer({
      'POST /api/v1/auth/register': () => ({
        status: 422,
        body: {
          type: 'about:blank',
          title: 'Invalid input',
          status: 422,
          detail: 'Some fields are invalid',
          code: 'validation_error',
          errors: [{ field: 'body.password', message: 'At least 8 characters' }],
        },
      }),
    });
    const err = await unwrap(
      makeClient().POST('/api/v1/auth/register', {
        body: { phone: '+358401', password: 'x', name: 'A' },
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(422);
    expect(e.code).toBe('validation_error');
    expect(e.message).toBe('Some fields are invalid');
    expect(e.fieldMessage('password')).toBe('At least 8 characters');
  });

  it('reports a network failure as offline (status 0)', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(unwrap(makeClient().GET('/api/v1/categories'))).rejects.toMatchObject({
      status: 0,
    });
  });
});
