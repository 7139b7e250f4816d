/** Web Push is offered on a live order's page (not on a first visit): Turn on asks the browser,
 * subscribes with the server's VAPID key and registers the subscription; Not now is kept. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { setTokens } from '../lib/tokens';
import { PushOffer } from './PushOffer';

const KEY =
  'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U';

function browser(permission: NotificationPermission, answer: NotificationPermission) {
  const subscribe = vi.fn(async (_options: PushSubscriptionOptionsInit) => ({
    endpoint: 'https://push.test/wpush/v2/abc',
    toJSON: () => ({
      endpoint: 'https://push.test/wpush/v2/abc',
      keys: { p256dh: 'BP256', auth: 'AUTH' },
    }),
  }));
  const requestPermission = vi.fn(async () => answer);
  vi.stubGlobal('Notification', { permission, requestPermission });
  vi.stubGlobal('PushManager', function PushManager() {});
  Object.defineProperty(navigator, 'serviceWorker', {
    configurable: true,
    value: {
      ready: Promise.resolve({ pushManager: { getSubscription: async () => null, subscribe } }),
    },
  });
  return { subscribe, requestPermission };
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, 'serviceWorker');
});

describe('the push offer', () => {
  it('asks, subscribes with the VAPID key and registers the subscription', async () => {
    const { subscribe, requestPermission } = browser('default', 'granted');
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const { calls } = fakeServer({
      'GET /api/v1/notifications/push-config': () => ({ body: { public_key: KEY } }),
      'POST /api/v1/me/push-subscriptions': () => ({ status: 201, body: { id: 's1' } }),
    });
    render(<PushOffer />);
    expect(requestPermission).not.toHaveBeenCalled(); // nothing asked until they choose
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    await waitFor(() => expect(screen.queryByRole('region')).toBeNull());
    expect(requestPermission).toHaveBeenCalledTimes(1);
    const options = subscribe.mock.calls[0]![0];
    expect(options.userVisibleOnly).toBe(true);
    // the P-256 public key, decoded from base64url
    expect((options.applicationServerKey as Uint8Array).length).toBe(65);
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/api/v1/me/push-subscriptions');
    expect(post.body).toEqual({
      endpoint: 'https://push.test/wpush/v2/abc',
      keys: { p256dh: 'BP256', auth: 'AUTH' },
    });
  });

  it('is not offered again once turned down, nor once the browser decided', () => {
    browser('default', 'denied');
    const { unmount } = render(<PushOffer />);
    screen.getByRole('button', { name: 'Not now' }).click();
    unmount();
    render(<PushOffer />);
    expect(screen.queryByRole('button', { name: 'Turn on' })).toBeNull();
    localStorage.clear();
    browser('granted', 'granted');
    render(<PushOffer />);
    expect(screen.queryByRole('button', { name: 'Turn on' })).toBeNull();
  });
});
