import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { Catalog } from './Catalog';
import { Pricing } from './Pricing';
import { Stock } from './Stock';

afterEach(() => vi.unstubAllGlobals());

const signIn = () => setTokens({ access_token: 'A', refresh_token: 'R' });

const stockRow = (product_id: string, product_name: string, price: number | null) => ({
  store_id: 's1',
  product_id,
  product_name,
  on_hand: 10,
  reserved: 0,
  available: 10,
  price,
  effective_price: price ?? 5000,
  mrp: 6000,
  aisle: 'A1',
  updated_at: '2026-01-01T10:00:00Z',
});

describe('stock and prices', () => {
  const routes = () => ({
    'GET /api/v1/stores': () => ({
      body: { items: [{ id: 's1', name: 'Kamppi' }], next_cursor: null },
    }),
    'GET /api/v1/admin/stores/{id}/stock': () => ({
      body: {
        items: [
          stockRow('p1', 'Milk', null),
          stockRow('p2', 'Bread', 4000),
          stockRow('p3', 'Eggs', null),
        ],
        next_cursor: null,
      },
    }),
  });

  it('sends typed euros as exact cents and puts a refused line under its own row', async () => {
    signIn();
    const { calls } = fakeServer({
      ...routes(),
      'PUT /api/v1/admin/stores/{id}/stock': () => ({
        status: 422,
        body: {
          title: 'Unprocessable',
          status: 422,
          detail: 'A price is above its MRP',
          errors: [{ field: 'items.1.price', message: "must not exceed the product's mrp" }],
        },
      }),
    });
    renderApp(<Stock />, '/admin/stock');
    const eggs = await screen.findByLabelText('Store price for Eggs in €');
    await userEvent.type(screen.getByLabelText('Store price for Bread in €'), '.5');
    await userEvent.type(eggs, '70.29');
    expect(eggs).toHaveValue(70.29);
    await userEvent.type(eggs, '1');
    expect(eggs).toHaveValue(70.29);
    await userEvent.click(screen.getByRole('button', { name: 'Save 2 changes' }));
    await screen.findByRole('alert');
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.body).toEqual({
      items: [
        { product_id: 'p2', on_hand: 10, price: 4050 },
        { product_id: 'p3', on_hand: 10, price: 7029 },
      ],
    });
    const eggsRow = screen.getByText('Eggs').closest('tr')!;
    expect(within(eggsRow).getByText("must not exceed the product's mrp")).toBeInTheDocument();
    const breadRow = screen.getByText('Bread').closest('tr')!;
    expect(within(breadRow).queryByText("must not exceed the product's mrp")).toBeNull();
  });
});

describe('catalog', () => {
  /** Opens "New product" on a catalog with one category and fills the dialog. */
  async function newProduct(mrp: string, price: string) {
    signIn();
    const server = fakeServer({
      'GET /api/v1/admin/categories': () => ({
        body: {
          items: [{ id: 'c1', name: 'Dairy', slug: 'dairy', parent_id: null }],
          next_cursor: null,
        },
      }),
      'GET /api/v1/admin/products': () => ({ body: { items: [], next_cursor: null } }),
      'POST /api/v1/admin/products': () => ({ status: 201, body: {} }),
    });
    renderApp(<Catalog />, '/admin/catalog');
    await userEvent.click(await screen.findByRole('button', { name: 'New product' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Curd');
    await userEvent.type(within(dialog).getByLabelText('MRP (€)'), mrp);
    await userEvent.type(within(dialog).getByLabelText('Selling price (€)'), price);
    return { calls: server.calls, dialog };
  }

  // The input's step already stops a browser from submitting this; the dialog's own check is for
  // whatever gets past it.
  it('refuses a price with three decimals under its field without sending', async () => {
    const { calls, dialog } = await newProduct('49.999', '45');
    fireEvent.submit(dialog.querySelector('form')!);
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Enter the MRP as an amount like 49.50.',
    );
    expect(within(dialog).getByLabelText('MRP (€)')).toHaveAccessibleDescription(
      'Use at most two decimals',
    );
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('creates a product with its euros as exact cents', async () => {
    const { calls, dialog } = await newProduct('0.29', '0.1');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({ name: 'Curd', category_id: 'c1', mrp: 29, price: 10 });
  });
});

describe('coupons and fees', () => {
  function pricingServer() {
    signIn();
    return fakeServer({
      'GET /api/v1/admin/coupons': () => ({ body: { items: [], next_cursor: null } }),
      'POST /api/v1/admin/coupons': () => ({ status: 201, body: {} }),
      'GET /api/v1/admin/fee-rules': () => ({
        body: {
          items: [
            { code: 'handling_fee', label: 'Handling fee', enabled: true, amount: 900, params: {} },
          ],
          next_cursor: null,
        },
      }),
      'PATCH /api/v1/admin/fee-rules/{code}': () => ({ body: {} }),
    });
  }

  it("sends a flat coupon's euros as exact cents", async () => {
    const { calls } = pricingServer();
    renderApp(<Pricing />, '/admin/pricing');
    await userEvent.click(await screen.findByRole('button', { name: 'New coupon' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Code'), 'flat25');
    await userEvent.selectOptions(within(dialog).getByLabelText('Kind'), 'flat');
    await userEvent.clear(within(dialog).getByLabelText('Amount off (€)'));
    await userEvent.type(within(dialog).getByLabelText('Amount off (€)'), '25.5');
    await userEvent.clear(within(dialog).getByLabelText('Minimum cart (€)'));
    await userEvent.type(within(dialog).getByLabelText('Minimum cart (€)'), '199.99');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create coupon' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({
      code: 'FLAT25',
      kind: 'flat',
      amount_off: 2550,
      min_cart: 19999,
    });
  });

  it('saves a fee typed in euros as exact cents', async () => {
    const { calls } = pricingServer();
    renderApp(<Pricing />, '/admin/pricing');
    const amount = await screen.findByLabelText('Amount of Handling fee in €');
    expect(amount).toHaveValue(9);
    await userEvent.clear(amount);
    await userEvent.type(amount, '12.34');
    const row = screen.getByText('Handling fee').closest('tr')!;
    await userEvent.click(within(row).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Handling fee saved')).toBeInTheDocument();
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.path).toBe('/api/v1/admin/fee-rules/handling_fee');
    expect(patch.body).toEqual({ amount: 1234, enabled: true });
  });
});
