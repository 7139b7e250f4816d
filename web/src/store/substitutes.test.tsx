import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import StoreApp from './StoreApp';

afterEach(() => vi.unstubAllGlobals());

const confirmedAt = new Date(Date.now() - 3 * 60000).toISOString();
const ENTRY = {
  id: 'o1',
  number: 'KR-2',
  status: 'picking',
  total: 24000,
  item_count: 3,
  created_at: confirmedAt,
  confirmed_at: confirmedAt,
  minutes_since_confirmed: 3,
};
const LINE = { status: 'ordered', substitute_for: null, unit: '400 g' };
const BREAD = {
  ...LINE,
  line_id: 'l1',
  product_id: 'p1',
  name: 'Bread',
  quantity: 2,
  unit_price: 4500,
  aisle: 'A1',
};
const MILK = {
  ...LINE,
  line_id: 'l2',
  product_id: 'p2',
  name: 'Milk',
  quantity: 1,
  unit_price: 12000,
  aisle: 'B2',
};
const OFFER = {
  id: 'sub1',
  order_id: 'o1',
  line_id: 'l1',
  replaces: 'Bread',
  product_id: 'p9',
  name: 'Brown bread',
  unit: '400 g',
  quantity: 2,
  unit_price: 5000,
  charged_unit_price: 4500,
  dearer: true,
  status: 'proposed',
  expires_at: new Date(Date.now() + 300_000).toISOString(),
  decided_at: null,
  paid_difference: false,
};

function pickList(lines: unknown[], substitutions: unknown[] = []) {
  return {
    id: 'o1',
    number: 'KR-2',
    status: 'picking',
    store_id: 's1',
    item_count: 3,
    confirmed_at: confirmedAt,
    delivery_instructions: null,
    lines,
    substitutions,
  };
}

describe('substitutes on the pick list', () => {
  it('offers a substitute from the candidates and waits for the customer', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let current = pickList([BREAD, MILK]);
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: { ...ME, roles: ['store_staff'], store_id: 's1' } }),
      'GET /api/v1/store-ops/{s}/orders': () => ({ body: { items: [ENTRY], next_cursor: null } }),
      'GET /api/v1/store-ops/orders/{id}/lines/{l}/substitutes': () => ({
        body: {
          items: [
            {
              product_id: 'p8',
              name: 'White bread',
              brand: '',
              unit: '400 g',
              image_url: null,
              price: 4000,
              mrp: 4500,
              available: 7,
              aisle: 'A2',
              dearer: false,
              charged_unit_price: 4000,
            },
            {
              product_id: 'p9',
              name: 'Brown bread',
              brand: '',
              unit: '400 g',
              image_url: null,
              price: 5000,
              mrp: 5500,
              available: 3,
              aisle: 'A3',
              dearer: true,
              charged_unit_price: 4500,
            },
          ],
          next_cursor: null,
        },
      }),
      'POST /api/v1/store-ops/orders/{id}/lines/{l}/substitutions': () => {
        current = pickList([BREAD, MILK], [OFFER]);
        return { status: 201, body: OFFER };
      },
      'GET /api/v1/store-ops/orders/{id}': () => ({ body: current }),
    });
    renderApp(<StoreApp />, '/store');
    await userEvent.click(
      await screen.findByRole('button', { name: "Can't find Bread" }, { timeout: 5000 }),
    );
    const list = await screen.findByRole('list', { name: 'Substitutes for Bread' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => r.querySelector('strong')!.textContent)).toEqual([
      'White bread',
      'Brown bread',
    ]);
    expect(rows[1]).toHaveTextContent(/dearer: the customer pays/);
    await userEvent.click(within(list).getByRole('button', { name: 'Offer Brown bread' }));
    const sent = await waitFor(() => {
      const call = calls.find((c) => c.method === 'POST' && c.path.endsWith('/substitutions'));
      expect(call).toBeTruthy();
      return call!;
    });
    expect(sent.path).toBe('/api/v1/store-ops/orders/o1/lines/l1/substitutions');
    expect(sent.body).toEqual({ product_id: 'p9', quantity: 2 });
    expect(await screen.findByTestId('waiting-for-customer')).toHaveTextContent(
      /Offered 2 × Brown bread · waiting for the customer [45]:\d\d/,
    );
    expect(screen.getByRole('checkbox', { name: 'Picked 2 × Bread' })).toBeDisabled();
    expect(
      screen.getByRole('button', { name: "Waiting for the customer's answer" }),
    ).toBeDisabled();
  });

  it('leaves a line out when none is in stock', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: { ...ME, roles: ['store_staff'], store_id: 's1' } }),
      'GET /api/v1/store-ops/{s}/orders': () => ({ body: { items: [ENTRY], next_cursor: null } }),
      'GET /api/v1/store-ops/orders/{id}/lines/{l}/substitutes': () => ({
        body: { items: [], next_cursor: null },
      }),
      'POST /api/v1/store-ops/orders/{id}/lines/{l}/unavailable': () => ({
        body: pickList([BREAD, { ...MILK, status: 'unavailable' }]),
      }),
      'GET /api/v1/store-ops/orders/{id}': () => ({ body: pickList([BREAD, MILK]) }),
    });
    renderApp(<StoreApp />, '/store');
    await userEvent.click(await screen.findByRole('button', { name: "Can't find Milk" }));
    expect(await screen.findByText('Nothing of this kind is in stock here.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'None in stock — leave it out' }));
    expect(await screen.findByText('out of stock — left out')).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/v1/store-ops/orders/o1/lines/l2/unavailable')).toBe(
      true,
    );
    // only the lines still on the bill are picked
    expect(screen.getAllByRole('checkbox', { name: /^Picked/ })).toHaveLength(1);
  });
});
