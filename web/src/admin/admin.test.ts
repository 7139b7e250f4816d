import { describe, expect, it } from 'vitest';
import { applyBulk, changed } from './bulk';
import {
  deliveryHistogram,
  deliveryMinutes,
  onTimeShare,
  ordersPerHour,
  revenue,
  type OrderLike,
} from './stats';

describe('bulk stock edit', () => {
  const row = { on_hand: 10, price: null };
  it('sets and adds on-hand, never below zero', () => {
    expect(applyBulk(row, { kind: 'set_on_hand', value: 40 }, 5000, 6000).on_hand).toBe(40);
    expect(applyBulk(row, { kind: 'add_on_hand', value: -25 }, 5000, 6000).on_hand).toBe(0);
  });
  it('changes price by percent from the default price, capped at MRP', () => {
    expect(applyBulk(row, { kind: 'price_percent', value: -10 }, 5000, 6000).price).toBe(4500);
    expect(applyBulk(row, { kind: 'price_percent', value: 50 }, 5000, 6000).price).toBe(6000);
    expect(
      applyBulk({ on_hand: 1, price: 4000 }, { kind: 'clear_price' }, 5000, 6000).price,
    ).toBeNull();
  });
  it('knows when a row changed', () => {
    expect(changed(row, { on_hand: 10, price: null })).toBe(false);
    expect(changed(row, { on_hand: 10, price: 100 })).toBe(true);
  });
});

describe('dashboard figures', () => {
  const t0 = Date.parse('2026-01-01T10:00:00Z');
  const iso = (min: number) => new Date(t0 + min * 60000).toISOString();
  const orders: OrderLike[] = [
    {
      status: 'delivered',
      total: 10000,
      created_at: iso(0),
      eta_minutes: 15,
      timeline: [
        { status: 'confirmed', at: iso(0) },
        { status: 'delivered', at: iso(12) },
      ],
    },
    {
      status: 'delivered',
      total: 20000,
      created_at: iso(5),
      eta_minutes: 15,
      timeline: [
        { status: 'confirmed', at: iso(5) },
        { status: 'delivered', at: iso(27) },
      ],
    },
    { status: 'cancelled', total: 5000, created_at: iso(50), timeline: [] },
    {
      status: 'picking',
      total: 7000,
      created_at: iso(70),
      timeline: [{ status: 'confirmed', at: iso(70) }],
    },
  ];
  it('measures delivery time from confirmation', () => {
    expect(deliveryMinutes(orders[0]!)).toBe(12);
    expect(deliveryMinutes(orders[3]!)).toBeNull();
  });
  it('computes on-time share against each promise', () => {
    expect(onTimeShare(orders)).toBe(0.5);
    expect(onTimeShare([])).toBeNull();
  });
  it('buckets delivery times and hours', () => {
    const h = deliveryHistogram(orders, 5, 30);
    expect(h.find((b) => b.label === '10–15')!.value).toBe(1);
    expect(h.find((b) => b.label === '20–25')!.value).toBe(1);
    const perHour = ordersPerHour(orders, t0 + 90 * 60000, 3);
    expect(perHour.reduce((s, b) => s + b.value, 0)).toBe(4);
  });
  it('counts revenue of orders that went through', () => {
    expect(revenue(orders)).toBe(37000);
  });
});
