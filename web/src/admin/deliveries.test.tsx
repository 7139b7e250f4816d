/** Admin → Notifications: the delivery log, searched by status, channel and recipient, with a
 * failed message sent again. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { Notifications } from './Notifications';

afterEach(() => vi.unstubAllGlobals());

const delivery = (id: string, channel: string, status: string, recipient: string) => ({
  id,
  delivery_key: `evt-${id}:u1:${channel}`,
  event_id: `evt-${id}`,
  user_id: 'u1',
  channel,
  kind: 'order_confirmed',
  language: 'en',
  recipient,
  subject: 'Order K-7 confirmed',
  body: 'Your order K-7 is confirmed.',
  status,
  attempts: status === 'failed' ? 3 : 1,
  next_attempt_at: '2026-12-03T10:05:00Z',
  last_error: status === 'failed' ? 'try 3: Twilio answered 503: 20503 Service unavailable' : null,
  provider_ref: status === 'sent' ? 'SM123' : null,
  marketing: false,
  created_at: '2026-12-03T10:00:00Z',
  sent_at: status === 'sent' ? '2026-12-03T10:00:01Z' : null,
});

describe('the notification delivery log', () => {
  it('filters by status, channel and recipient, and sends a failed one again', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let retried = false;
    const all = () => [
      delivery('d1', 'sms', retried ? 'pending' : 'failed', '+358401234567'),
      delivery('d2', 'email', 'sent', 'asha@example.com'),
    ];
    const { calls } = fakeServer({
      'GET /api/v1/admin/notifications/deliveries/counts': () => ({
        body: retried
          ? { pending: 1, sending: 0, sent: 1, failed: 0 }
          : { pending: 0, sending: 0, sent: 1, failed: 1 },
      }),
      'GET /api/v1/admin/notifications/deliveries': (req) => {
        const q = new URLSearchParams(req.search);
        const items = all().filter(
          (d) =>
            (!q.get('status') || d.status === q.get('status')) &&
            (!q.get('channel') || d.channel === q.get('channel')) &&
            (!q.get('recipient') || d.recipient.includes(q.get('recipient')!)),
        );
        return { body: { items, next_cursor: null } };
      },
      'POST /api/v1/admin/notifications/deliveries/{id}/retry': () => {
        retried = true;
        return { body: all()[0] };
      },
    });
    renderApp(<Notifications />, '/admin/notifications');
    expect(await screen.findByText('asha@example.com')).toBeVisible();
    expect(await screen.findByText(/1 sent · 0 waiting/)).toHaveTextContent('1 failed');

    await userEvent.selectOptions(screen.getByLabelText('Status'), 'failed');
    await waitFor(() => expect(screen.queryByText('asha@example.com')).toBeNull());
    const row = screen.getByText('+358401234567').closest('tr')!;
    expect(within(row).getByText(/Twilio answered 503/)).toBeVisible();
    await userEvent.selectOptions(screen.getByLabelText('Channel'), 'sms');
    await userEvent.type(screen.getByLabelText('Recipient'), '+35840');
    await waitFor(() =>
      expect(
        calls.some((c) => {
          const q = new URLSearchParams(c.search);
          return (
            c.path === '/api/v1/admin/notifications/deliveries' &&
            q.get('status') === 'failed' &&
            q.get('channel') === 'sms' &&
            q.get('recipient') === '+35840'
          );
        }),
      ).toBe(true),
    );

    await userEvent.click(
      within(screen.getByText('+358401234567').closest('tr')!).getByRole('button', {
        name: 'Send again',
      }),
    );
    expect(await screen.findByText('Queued to send again')).toBeVisible();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/v1/admin/notifications/deliveries/d1/retry',
    ]);
    await waitFor(() =>
      expect(screen.getByText(/1 sent · 1 waiting/)).toHaveTextContent('0 failed'),
    );
  });
});
