import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { Refunds } from './Refunds';

afterEach(() => vi.unstubAllGlobals());

const refund = (id: string, status: 'pending' | 'sent' | 'failed', amount: number) => ({
  id,
  payment_id: `pay-${id}`,
  order_id: `order-${id}`,
  provider: 'stripe',
  amount,
  currency: 'EUR',
  reason: 'short pick',
  status,
  attempts: status === 'failed' ? 8 : 1,
  last_error: status === 'failed' ? 'APIConnectionError: Stripe did not answer' : null,
  next_attempt_at: status === 'pending' ? '2026-12-03T10:05:00Z' : null,
  created_at: '2026-12-03T10:00:00Z',
  sent_at: status === 'sent' ? '2026-12-03T10:01:00Z' : null,
});

describe('refunds', () => {
  it('lists failed refunds first and retries one, then shows the list again', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let retried = false;
    const { calls } = fakeServer({
      'GET /api/v1/admin/refunds': (req) => {
        const status = new URLSearchParams(req.search).get('status');
        const all = [
          refund('r1', retried ? 'pending' : 'failed', 1250),
          refund('r2', 'failed', 400),
          refund('r3', 'sent', 999),
        ];
        return {
          body: { items: all.filter((r) => !status || r.status === status), next_cursor: null },
        };
      },
      'POST /api/v1/admin/refunds/{id}/retry': () => {
        retried = true;
        return { body: refund('r1', 'pending', 1250) };
      },
    });
    renderApp(<Refunds />, '/admin/refunds');
    const first = (await screen.findByText('order-r1')).closest('tr')!;
    expect(within(first).getByText('APIConnectionError: Stripe did not answer')).toBeVisible();
    expect(within(first).getByText('Failed')).toBeVisible();
    expect(screen.queryByText('order-r3')).toBeNull(); // sent: not in the failed list
    expect(calls.find((c) => c.path === '/api/v1/admin/refunds')!.search).toContain(
      'status=failed',
    );

    await userEvent.click(
      within(first).getByRole('button', {
        name: /Retry the refund of .*12[.,]50 for order order-r1/,
      }),
    );
    await waitFor(() => expect(screen.queryByText('order-r1')).toBeNull());
    expect(screen.getByText('order-r2')).toBeVisible();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.path)).toEqual(['/api/v1/admin/refunds/r1/retry']);
    expect(await screen.findByText(/queued to send again/)).toBeVisible();
  });

  it('shows every status on Any, with Retry only on failed ones', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const { calls } = fakeServer({
      'GET /api/v1/admin/refunds': (req) => ({
        body: {
          items: new URLSearchParams(req.search).get('status')
            ? []
            : [
                refund('r1', 'failed', 100),
                refund('r2', 'pending', 200),
                refund('r3', 'sent', 300),
              ],
          next_cursor: null,
        },
      }),
    });
    renderApp(<Refunds />, '/admin/refunds');
    expect(await screen.findByText('No failed refunds')).toBeVisible();
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'Any');
    await screen.findByText('order-r3');
    expect(calls.at(-1)!.search).not.toContain('status=');
    expect(screen.getAllByRole('button', { name: /^Retry/ })).toHaveLength(1);
    expect(
      within(screen.getByText('order-r2').closest('tr')!).getByText('Waiting to send'),
    ).toBeVisible();
  });

  it('reads the list again while a refund waits to be sent, until it is sent', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let reads = 0; // of every status
    fakeServer({
      'GET /api/v1/admin/refunds': (req) => {
        if (new URLSearchParams(req.search).get('status'))
          return { body: { items: [], next_cursor: null } };
        reads += 1;
        const r1 = refund('r1', reads > 1 ? 'sent' : 'pending', 100);
        return { body: { items: [r1], next_cursor: null } };
      },
    });
    renderApp(<Refunds />, '/admin/refunds');
    await userEvent.selectOptions(await screen.findByLabelText('Status'), 'Any');
    const row = (await screen.findByText('order-r1')).closest('tr')!;
    expect(within(row).getByText('Waiting to send')).toBeVisible();
    await waitFor(() => expect(within(row).getByText('Sent')).toBeVisible(), { timeout: 8000 });
    expect(reads).toBe(2);
  }, 12_000);

  it('says why a retry was refused', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    fakeServer({
      'GET /api/v1/admin/refunds': () => ({
        body: { items: [refund('r1', 'failed', 100)], next_cursor: null },
      }),
      'POST /api/v1/admin/refunds/{id}/retry': () => ({
        status: 409,
        body: {
          title: 'Conflict',
          status: 409,
          detail: 'Only a failed refund can be sent again; this one is sent',
          code: 'refund_not_failed',
        },
      }),
    });
    renderApp(<Refunds />, '/admin/refunds');
    await userEvent.click(await screen.findByRole('button', { name: /^Retry/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Only a failed refund can be sent again; this one is sent',
    );
  });
});
