import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { fakeServer } from '../test/http';
import { atStore, CART, ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { RecommendationRail } from './Rails';

afterEach(() => vi.unstubAllGlobals());

const product = {
  id: 'p9',
  name: 'Himgiri Curd',
  brand: 'Himgiri',
  unit: '400 g',
  image_url: null,
  price: 4000,
  mrp: 4000,
  in_stock: true,
  max_quantity: 5,
  category_id: 'c1',
  currency: 'INR',
};

describe('recommendation rails', () => {
  it('asks for the rail of the store, with the product, and shows it', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    atStore();
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: ME }),
      'GET /api/v1/cart': () => ({ body: CART }),
      'GET /api/v1/me/recommendations': () => ({
        body: { kind: 'bought_together', items: [product], source: 'personal' },
      }),
    });
    renderApp(
      <RecommendationRail
        kind="bought_together"
        title="Frequently bought together"
        productId="p1"
      />,
      '/p/p1',
    );
    expect(
      await screen.findByRole('heading', { name: 'Frequently bought together' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Himgiri Curd')).toBeInTheDocument();
    const asked = calls.find((c) => c.path === '/api/v1/me/recommendations');
    expect(asked?.search).toContain('store_id=s1');
    expect(asked?.search).toContain('kind=bought_together');
    expect(asked?.search).toContain('product_id=p1');
  });

  it('shows nothing when the rail is empty', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    atStore();
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: ME }),
      'GET /api/v1/cart': () => ({ body: CART }),
      'GET /api/v1/me/recommendations': () => ({
        body: { kind: 'buy_again', items: [], source: 'popular' },
      }),
    });
    renderApp(<RecommendationRail kind="buy_again" title="Buy it again" />, '/');
    await waitFor(() =>
      expect(calls.some((c) => c.path === '/api/v1/me/recommendations')).toBe(true),
    );
    expect(screen.queryByRole('heading', { name: 'Buy it again' })).toBeNull();
  });
});
