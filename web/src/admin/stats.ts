/** Dashboard figures computed from the admin orders list. */
import type { OrderStatus } from '../lib/types';
import type { Bar } from './charts';

export interface OrderLike {
  status: OrderStatus;
  total: number;
  created_at?: string | null;
  eta_minutes?: number | null;
  timeline?: Array<{ status: OrderStatus; at: string }> | null;
}

export function at(o: OrderLike, status: OrderStatus): number | null {
  const t = o.timeline?.find((e) => e.status === status)?.at;
  return t ? new Date(t).getTime() : null;
}

/** Minutes from confirmation (or creation) to delivery, for delivered orders. */
export function deliveryMinutes(o: OrderLike): number | null {
  const end = at(o, 'delivered');
  const start = at(o, 'confirmed') ?? (o.created_at ? new Date(o.created_at).getTime() : null);
  if (end === null || start === null) return null;
  return Math.max(0, (end - start) / 60000);
}

export function ordersPerHour(orders: OrderLike[], now = Date.now(), hours = 12): Bar[] {
  const bins: Bar[] = [];
  const hourMs = 3600000;
  const end = Math.ceil(now / hourMs) * hourMs;
  for (let i = hours - 1; i >= 0; i--) {
    const from = end - (i + 1) * hourMs;
    const label = new Date(from).getHours().toString().padStart(2, '0');
    const value = orders.filter((o) => {
      const t = o.created_at ? new Date(o.created_at).getTime() : NaN;
      return t >= from && t < from + hourMs;
    }).length;
    bins.push({ label, value });
  }
  return bins;
}

export function deliveryHistogram(orders: OrderLike[], bucket = 5, maxMinutes = 60): Bar[] {
  const bins: Bar[] = [];
  for (let m = 0; m < maxMinutes; m += bucket) bins.push({ label: `${m}–${m + bucket}`, value: 0 });
  bins.push({ label: `${maxMinutes}+`, value: 0 });
  for (const o of orders) {
    const d = deliveryMinutes(o);
    if (d === null) continue;
    const i = Math.min(bins.length - 1, Math.floor(d / bucket));
    bins[i]!.value += 1;
  }
  return bins;
}

/** Share of delivered orders that arrived within their promised ETA (default 15 min). */
export function onTimeShare(orders: OrderLike[], defaultEta = 15): number | null {
  const done = orders.map((o) => [o, deliveryMinutes(o)] as const).filter(([, d]) => d !== null);
  if (!done.length) return null;
  const onTime = done.filter(([o, d]) => d! <= (o.eta_minutes ?? defaultEta)).length;
  return onTime / done.length;
}

export function revenue(orders: OrderLike[]): number {
  return orders
    .filter((o) => o.status !== 'cancelled' && o.status !== 'pending_payment')
    .reduce((s, o) => s + (o.total ?? 0), 0);
}
