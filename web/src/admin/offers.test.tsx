import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { Offers, progress } from './Offers';

afterEach(() => vi.unstubAllGlobals());

const campaign = (over: Record<string, unknown>) => ({
  id: 'c1',
  title: 'Mangoes are in',
  body: 'Alphonso, 20% off',
  created_at: '2026-12-01T10:00:00Z',
  status: 'queued',
  recipients: 3,
  queued_at: '2026-12-01T10:00:01Z',
  deliveries: { pending: 1, sending: 0, sent: 2, failed: 0 },
  ...over,
});

describe('offers', () => {
  it('says how far an offer has gone', () => {
    expect(progress(campaign({}) as never)).toBe(
      '3 customers · 2 sent · 1 waiting for quiet hours or sending',
    );
    expect(progress(campaign({ status: 'preparing', recipients: null }) as never)).toBe(
      'Preparing…',
    );
    const one = campaign({
      recipients: 1,
      deliveries: { pending: 0, sending: 0, sent: 0, failed: 1 },
    });
    expect(progress(one as never)).toBe('1 customer · 0 sent · 1 failed');
  });

  it('sends an offer once per writing, with the API field error under its input', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let tries = 0;
    const { calls } = fakeServer({
      'GET /api/v1/admin/campaigns': () => ({
        body: { items: [campaign({})], next_cursor: null },
      }),
      'POST /api/v1/admin/campaigns': (c) =>
        ++tries === 1
          ? {
              status: 422,
              body: {
                title: 'Unprocessable',
                status: 422,
                detail: 'Check the fields',
                errors: [{ field: 'body', message: 'too long for an SMS' }],
              },
            }
          : { status: 201, body: campaign({ id: 'c2', ...(c.body as object) }) },
    });
    renderApp(<Offers />, '/admin/offers');
    expect(await screen.findByText('Mangoes are in')).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'New offer' });
    await userEvent.type(within(form).getByLabelText('Title'), 'Fresh bread');
    await userEvent.type(within(form).getByLabelText('Message'), 'Baked this morning');
    await userEvent.click(within(form).getByRole('button', { name: 'Send offer' }));
    expect(await within(form).findByText('too long for an SMS')).toBeInTheDocument();
    await userEvent.click(within(form).getByRole('button', { name: 'Send offer' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    const [first, second] = calls.filter((c) => c.method === 'POST');
    expect(second!.body).toEqual({ title: 'Fresh bread', body: 'Baked this morning' });
    // The retry of the same writing carries the same key: the server sends it once.
    expect(second!.headers.get('Idempotency-Key')).toBe(first!.headers.get('Idempotency-Key'));
    expect(second!.headers.get('Idempotency-Key')).toBeTruthy();
    await waitFor(() => expect(within(form).getByLabelText('Title')).toHaveValue(''));
  });
});
