/** Admin → Cash: the riders holding cash-on-delivery money, a rider's ledger as the rider's
 * collections wrote it, and a deposit recorded against it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { formatMoney } from '../lib/money';
import { Cash } from './Cash';

afterEach(() => vi.unstubAllGlobals());

const collected = {
  id: 'e1',
  rider_id: 'r1',
  kind: 'collected',
  amount: 24950,
  currency: 'EUR',
  held_after: 24950,
  order_id: 'o1',
  tendered: 30000,
  change: 5050,
  by_id: 'r1',
  by_name: 'Ravi',
  note: null,
  at: '2026-12-03T10:00:00Z',
};

describe('cash on delivery, settled by an admin', () => {
  it('shows who holds cash and records a deposit from the ledger', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let held = 24950;
    const entries: Array<Record<string, unknown>> = [collected];
    const { calls } = fakeServer({
      'GET /api/v1/stores': () => ({
        body: { items: [{ id: 's1', name: 'Kamppi' }], next_cursor: null },
      }),
      'GET /api/v1/admin/riders': () => ({
        body: {
          items: held ? [{ id: 'r1', name: 'Ravi', store_id: 's1', cash_held: held }] : [],
          next_cursor: null,
        },
      }),
      'GET /api/v1/admin/riders/{id}/cash': () => ({
        body: {
          rider_id: 'r1',
          name: 'Ravi',
          store_id: 's1',
          cash_held: held,
          currency: 'EUR',
          collected_total: 24950,
          settled_total: 24950 - held,
          adjustments_total: 0,
          items: entries,
          next_cursor: null,
        },
      }),
      'POST /api/v1/admin/riders/{id}/cash/settlements': (req) => {
        const { amount } = req.body as { amount: number };
        held -= amount;
        const entry = {
          ...collected,
          id: 'e2',
          kind: 'settled',
          amount: -amount,
          held_after: held,
          order_id: null,
          tendered: null,
          change: null,
          by_id: 'a1',
          by_name: 'Demo Admin',
          note: 'bank deposit',
        };
        entries.unshift(entry);
        return { status: 201, body: entry };
      },
    });
    renderApp(<Cash />, '/admin/cash');
    const row = (await screen.findByText('Ravi')).closest('tr')!;
    expect(within(row).getByText('Kamppi')).toBeVisible();
    expect(within(row).getByText(formatMoney(24950))).toBeVisible();
    expect(screen.getByTestId('cash-total')).toHaveTextContent(formatMoney(24950));
    expect(calls.find((c) => c.path === '/api/v1/admin/riders')!.search).toContain(
      'holding_cash=true',
    );

    await userEvent.click(within(row).getByRole('button', { name: 'Ledger of Ravi' }));
    expect(await screen.findByTestId('ledger-held')).toHaveTextContent(formatMoney(24950, 'EUR'));
    // the rider's collection, as the rider recorded it at the door
    expect(
      screen.getByText(`Tendered ${formatMoney(30000, 'EUR')}, change ${formatMoney(5050, 'EUR')}`),
    ).toBeVisible();
    // the deposit is prefilled with all that is held; the admin deposits part of it
    const amount = screen.getByLabelText('Amount deposited');
    expect(amount).toHaveValue('249.50');
    await userEvent.clear(amount);
    await userEvent.type(amount, '200.00');
    await userEvent.type(screen.getByLabelText('Note'), 'bank deposit');
    await userEvent.click(screen.getByRole('button', { name: 'Settle' }));
    await waitFor(() =>
      expect(screen.getByTestId('ledger-held')).toHaveTextContent(formatMoney(4950, 'EUR')),
    );
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/api/v1/admin/riders/r1/cash/settlements');
    expect(post.body).toEqual({ amount: 20000, note: 'bank deposit' });
    expect(post.headers.get('Idempotency-Key')).toBe('settle-r1-e1');
    expect(
      await screen.findByText(
        `Settled ${formatMoney(20000, 'EUR')}; ${formatMoney(4950, 'EUR')} still held`,
      ),
    ).toBeVisible();
  });
});
