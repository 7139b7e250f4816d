/**
 * Web Push on this device: ask the browser for permission, subscribe with the server's VAPID key
 * and hand the subscription to the API. The app asks only after the customer placed an order
 * (the order page offers it), never on a first visit.
 */
import { api, unwrap } from './api';

const ASKED = 'kirana.push.asked';

export function pushSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    'serviceWorker' in navigator &&
    'PushManager' in window &&
    'Notification' in window
  );
}

/** Whether to offer push now: supported, not yet decided, and not turned down here before. */
export function shouldOfferPush(): boolean {
  if (!pushSupported()) return false;
  if (Notification.permission !== 'default') return false;
  return localStorage.getItem(ASKED) !== 'no';
}

export function declinePush(): void {
  localStorage.setItem(ASKED, 'no');
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const padded = (base64url + '==='.slice((base64url.length + 3) % 4))
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  const raw = atob(padded);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Ask, subscribe and register; resolves false when the browser or the customer says no. */
export async function enablePush(): Promise<boolean> {
  if (!pushSupported()) return false;
  const config = await unwrap(api.GET('/api/v1/notifications/push-config'));
  if (!config.public_key) return false;
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    declinePush();
    return false;
  }
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(config.public_key),
    }));
  const json = subscription.toJSON();
  await unwrap(
    api.POST('/api/v1/me/push-subscriptions', {
      body: {
        endpoint: json.endpoint ?? subscription.endpoint,
        keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
      },
    }),
  );
  return true;
}
