import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
    cancel_reason: null as string | null,
    pay_by: null as string | null,
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

function serve(o: ReturnType<typeof order>, more: Parameters<typeof fakeServer>[0] = {}) {
  setTokens({ access_token: 'A', refresh_token: 'R' });
  return fakeServer({
    ...more,
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

  it('an unpaid order offers Pay now with the time left, and pays by another method', async () => {
    const unpaid = {
      ...order('card', 'pending_payment', 'failed'),
      pay_by: new Date(Date.now() + 14.5 * 60_000).toISOString(),
    };
    const server = serve(unpaid, {
      // The order is confirmed from now on, for this answer and every later read.
      'POST /api/v1/orders/{id}/payments': () => ({
        status: 201,
        body: Object.assign(unpaid, {
          status: 'confirmed',
          payment_method: 'cod' as const,
          pay_by: null,
          payment: { id: 'pay2', status: 'pending', provider: 'cod' },
        }),
      }),
    });
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    const payNow = await screen.findByRole('region', { name: 'Pay now' });
    expect(within(payNow).getByTestId('payment-window')).toHaveTextContent(
      'The last payment did not go through. You have 14 minutes left to pay by card, UPI or cash on delivery',
    );
    await userEvent.click(within(payNow).getByRole('radio', { name: 'Cash on delivery' }));
    await userEvent.click(within(payNow).getByRole('button', { name: 'Pay cash on delivery' }));
    const sent = server.calls.find((c) => c.method === 'POST');
    expect(sent?.path).toBe('/api/v1/orders/o1/payments');
    expect(sent?.body).toEqual({ payment_method: 'cod' });
    expect(sent?.headers.get('Idempotency-Key')).toBeTruthy();
    expect(await screen.findByTestId('payment-summary')).toHaveTextContent(
      'Cash on delivery — pay the rider when it arrives',
    );
    expect(screen.queryByRole('region', { name: 'Pay now' })).toBeNull();
  });

  it('says in words when the time to pay is over', async () => {
    serve({
      ...order('card', 'pending_payment', 'failed'),
      pay_by: new Date(Date.now() - 1000).toISOString(),
    });
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    expect(await screen.findByTestId('payment-window')).toHaveTextContent(
      'The time to pay for this order is over. It is being cancelled, nothing will be charged, and its items go back to your cart.',
    );
    expect(screen.queryByRole('button', { name: /^Pay / })).toBeNull();
  });

  it('an order cancelled when its payment window closed says what became of it', async () => {
    serve({
      ...order('card', 'cancelled', 'failed'),
      cancel_reason: 'payment_timeout',
      timeline: [
        { status: 'pending_payment', at: placedAt },
        { status: 'cancelled', at: '2026-01-01T10:15:00Z' },
      ],
    });
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    expect(await screen.findByTestId('cancelled-words')).toHaveTextContent(
      'The time to pay for this order ran out, so it was cancelled and nothing was charged. Its items went back to your cart',
    );
    expect(screen.queryByRole('region', { name: 'Pay now' })).toBeNull();
  });
});
