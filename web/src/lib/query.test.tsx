import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import { clearQueries, invalidate, useQuery } from './query';
import { fakeServer } from '../test/http';
import { reorder } from '../customer/OrdersPage';
import { setTokens } from './tokens';
import { setPlace } from './place';

afterEach(() => {
  vi.unstubAllGlobals();
  clearQueries();
});

function Probe({ fetcher, k = 'probe' }: { fetcher: () => Promise<string>; k?: string }) {
  const q = useQuery(k, fetcher);
  return <p>{q.loading ? 'loading' : q.error ? 'error' : q.data}</p>;
}

describe('query cache', () => {
  it('shares one answer between screens and refetches on invalidate', async () => {
    let n = 0;
    const fetcher = vi.fn(async () => `answer ${++n}`);
    render(
      <>
        <Probe fetcher={fetcher} />
        <Probe fetcher={fetcher} />
      </>,
    );
    expect(await screen.findAllByText('answer 1')).toHaveLength(2);
    expect(fetcher).toHaveBeenCalledTimes(1);
    act(() => invalidate('probe'));
    expect(await screen.findAllByText('answer 2')).toHaveLength(2);
  });

  it('keeps the last good answer when a refresh fails', async () => {
    let fail = false;
    const fetcher = async () => {
      if (fail) throw new Error('offline');
      return 'catalog';
    };
    function Reloader() {
      const q = useQuery('k2', fetcher);
      return (
        <>
          <p>{q.data}</p>
          <p>{q.error ? 'stale' : 'fresh'}</p>
          <button onClick={() => void q.reload()}>reload</button>
        </>
      );
    }
    render(<Reloader />);
    expect(await screen.findByText('catalog')).toBeInTheDocument();
    fail = true;
    act(() => screen.getByText('reload').click());
    expect(await screen.findByText('stale')).toBeInTheDocument();
    expect(screen.getByText('catalog')).toBeInTheDocument();
  });
});

describe('reorder', () => {
  it('puts every line back in the cart at the order store and skips what is gone', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    setPlace({
      lat: 60.17,
      lng: 24.94,
      label: 'Home',
      store_id: 'other',
      store_name: 'X',
      eta_minutes: 9,
    });
    const { calls } = fakeServer({
      'GET /api/v1/orders/{id}': () => ({
        body: {
          id: 'o1',
          store_id: 's1',
          items: [
            { product_id: 'p1', name: 'Milk', quantity: 2, unit_price: 3000, line_total: 6000 },
            { product_id: 'p2', name: 'Gone', quantity: 1, unit_price: 1000, line_total: 1000 },
          ],
        },
      }),
      'PUT /api/v1/cart/items/{id}': (req) =>
        req.path.endsWith('/p2')
          ? { status: 409, body: { title: 'Conflict', status: 409, detail: 'Out of stock' } }
          : {
              body: {
                store_id: 's1',
                items: [],
                subtotal: 0,
                fees: [],
                discount: 0,
                total: 0,
                currency: 'INR',
                coupon_code: null,
                warnings: [],
              },
            },
    });
    await expect(reorder('o1')).resolves.toBe(1);
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts.map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/cart/items/p1', { quantity: 2, store_id: 's1' }],
      ['/api/v1/cart/items/p2', { quantity: 1, store_id: 's1' }],
    ]);
    await waitFor(() => expect(calls).toHaveLength(3));
  });
});
