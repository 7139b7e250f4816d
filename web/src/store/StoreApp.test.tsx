import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import StoreApp from './StoreApp';

afterEach(() => vi.unstubAllGlobals());

const ENTRY = {
  id: 'o1',
  number: 'KR-1',
  status: 'confirmed',
  total: 25000,
  item_count: 3,
  created_at: new Date().toISOString(),
  confirmed_at: new Date(Date.now() - 7 * 60000).toISOString(),
  minutes_since_confirmed: 7,
};
const LINE = { status: 'ordered', unit_price: 1000, substitute_for: null };
const LINES = [
  { ...LINE, line_id: 'l2', product_id: 'p2', name: 'Milk', quantity: 2, unit: '1 l', aisle: 'B2' },
  {
    ...LINE,
    line_id: 'l1',
    product_id: 'p1',
    name: 'Bread',
    quantity: 1,
    unit: '400 g',
    aisle: 'A1',
  },
];

describe('store queue', () => {
  it('picks in aisle order and allows "packed" only when every line is ticked', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let status = 'confirmed';
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: { ...ME, roles: ['store_staff'], store_id: 's1' } }),
      'GET /api/v1/store-ops/{s}/orders': () => ({
        body: { items: [{ ...ENTRY, status }], next_cursor: null },
      }),
      'GET /api/v1/store-ops/orders/{id}': () => ({
        body: {
          id: 'o1',
          number: 'KR-1',
          status,
          store_id: 's1',
          item_count: 3,
          confirmed_at: ENTRY.confirmed_at,
          delivery_instructions: null,
          lines: LINES,
        },
      }),
      'POST /api/v1/store-ops/orders/{id}/start-picking': () => {
        status = 'picking';
        return {
          body: {
            id: 'o1',
            number: 'KR-1',
            status,
            store_id: 's1',
            item_count: 3,
            confirmed_at: null,
            delivery_instructions: null,
            lines: LINES,
          },
        };
      },
      'POST /api/v1/store-ops/orders/{id}/packed': () => {
        status = 'packed';
        return {
          body: {
            id: 'o1',
            number: 'KR-1',
            status,
            store_id: 's1',
            item_count: 3,
            confirmed_at: null,
            delivery_instructions: null,
            lines: LINES,
          },
        };
      },
    });
    renderApp(<StoreApp />, '/store');
    expect(await screen.findByText('7 min ago')).toBeInTheDocument();
    const boxes = await screen.findAllByRole('checkbox', { name: /^Picked/ });
    expect(boxes.map((b) => b.getAttribute('aria-label'))).toEqual([
      'Picked 1 × Bread',
      'Picked 2 × Milk',
    ]);
    expect(boxes[0]).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Start picking' }));
    const finish = await screen.findByRole('button', { name: 'Tick every line to finish' });
    expect(finish).toBeDisabled();
    for (const box of screen.getAllByRole('checkbox', { name: /^Picked/ }))
      await userEvent.click(box);
    await userEvent.click(screen.getByRole('button', { name: 'Packed — hand to rider' }));
    await waitFor(() =>
      expect(calls.some((c) => c.path === '/api/v1/store-ops/orders/o1/packed')).toBe(true),
    );
  });
});
