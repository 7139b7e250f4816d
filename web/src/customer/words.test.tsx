import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { fakeServer } from '../test/http';
import { ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { OrderPage, Timeline } from './OrderPage';
import { OrdersPage } from './OrdersPage';
import type { OrderStatus } from '../lib/types';

// A customer reads words, never the API's codes ("sandbox · succeeded", "cod · pending").
const RAW = /sandbox|succeeded|pending|\bcod\b|_/;

const placedAt = '2026-01-01T10:00:00Z';
const cashTimeline: Array<{ status: OrderStatus; at: string }> = [
  { status: 'pending_payment', at: placedAt },
  { status: 'confirmed', at: '2026-01-01T10:00:00.000001Z' },
];

function order(method: 'card' | 'upi' | 'cod', status: string, payment: string) {
  return {
    id: 'o1',
    number: 'K-1001',
    status,
    store_id: 's1',
    customer_id: 'u1',
    total: 54100,
    subtotal: 50000,
    currency: 'INR',
    item_count: 1,
    payment_method: method,
    created_at: placedAt,
    fees: [],
    fees_total: 0,
    discount: 0,
    tip: 0,
    coupon_code: null,
    eta_minutes: 12,
    delivery_otp: '4821',
    address: { line1: 'Fredrikinkatu 25' },
    delivery_instructions: null,
    cancel_reason: null,
    confirmed_at: null,
    items: [
      {
        product_id: 'p1',
        name: 'Toned Milk',
        unit: '1 L',
        unit_price: 50000,
        mrp: 50000,
        quantity: 1,
        line_total: 50000,
        aisle: 'B1',
      },
    ],
    timeline: status === 'pending_payment' ? cashTimeline.slice(0, 1) : cashTimeline,
    payment: { id: 'pay1', status: payment, provider: method === 'cod' ? 'cod' : 'sandbox' },
  };
}

function serve(o: ReturnType<typeof order>) {
  setTokens({ access_token: 'A', refresh_token: 'R' });
  fakeServer({
    'GET /api/v1/me': () => ({ body: ME }),
    'GET /api/v1/orders/{id}/tracking': () => ({
      body: { status: o.status, eta_minutes: 12, rider: null, timeline: o.timeline },
    }),
    'GET /api/v1/orders/{id}': () => ({ body: o }),
    'GET /api/v1/orders': () => ({ body: { items: [o], next_cursor: null } }),
    'GET /api/v1/stores': () => ({ body: { items: [], next_cursor: null } }),
  });
}

describe('order words', () => {
  it('a cash order has no "Awaiting payment" step', () => {
    renderApp(<Timeline status="confirmed" timeline={cashTimeline} paymentMethod="cod" />);
    const steps = screen.getAllByRole('listitem').map((li) => li.querySelector('strong')!);
    expect(steps.map((s) => s.textContent)).toEqual([
      'Order placed',
      'Confirmed',
      'Being packed',
      'Packed',
      'On the way',
      'Delivered',
    ]);
    expect(screen.queryByText(/awaiting payment/i)).toBeNull();
  });

  it('a card order waiting for payment says so as the step in progress', () => {
    renderApp(
      <Timeline
        status="pending_payment"
        timeline={cashTimeline.slice(0, 1)}
        paymentMethod="card"
      />,
    );
    const placed = screen.getByText('Order placed').closest('li')!;
    const paying = screen.getByText('Waiting for payment').closest('li')!;
    expect(placed).toHaveAttribute('data-state', 'done');
    expect(paying).toHaveAttribute('aria-current', 'step');
  });

  it('a cancelled order lists what happened in words', () => {
    renderApp(
      <Timeline
        status="cancelled"
        paymentMethod="upi"
        timeline={[...cashTimeline, { status: 'cancelled', at: '2026-01-01T10:05:00Z' }]}
      />,
    );
    expect(
      screen.getAllByRole('listitem').map((li) => li.querySelector('strong')!.textContent),
    ).toEqual(['Order placed', 'Payment received', 'Cancelled']);
  });

  it('the order page says how a card order was paid, not the gateway code', async () => {
    serve(order('card', 'confirmed', 'succeeded'));
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    expect(await screen.findByTestId('payment-summary')).toHaveTextContent('Paid by card');
    expect(document.body.textContent).not.toMatch(RAW);
  });

  it('the order page tells a cash customer to pay the rider', async () => {
    serve(order('cod', 'confirmed', 'pending'));
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    expect(await screen.findByTestId('payment-summary')).toHaveTextContent(
      'Cash on delivery — pay the rider when it arrives',
    );
    expect(screen.queryByText(/awaiting payment/i)).toBeNull();
    expect(document.body.textContent).not.toMatch(RAW);
  });

  it('the order list names the status and the way of paying in words', async () => {
    serve(order('cod', 'out_for_delivery', 'pending'));
    renderApp(<OrdersPage />, '/orders');
    const card = await screen.findByRole('article', { name: 'Order K-1001' });
    expect(within(card).getByText('On the way')).toBeInTheDocument();
    expect(card).toHaveTextContent('Cash on delivery');
    expect(card.textContent).not.toMatch(RAW);
  });
});
