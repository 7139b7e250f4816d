import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { formatMoney } from '../lib/money';
import { clockText } from '../lib/countdown';
import type { Order } from '../lib/types';
import { OrderPage } from './OrderPage';
import { changeWords } from './Substitutions';

afterEach(() => vi.unstubAllGlobals());

const at = '2026-01-01T10:00:00Z';
const line = (over: Record<string, unknown>) => ({
  unit: '400 g',
  mrp: 5000,
  aisle: 'A1',
  status: 'ordered',
  substitute_for: null,
  ...over,
});

function order(over: Partial<Record<string, unknown>> = {}): Order {
  return {
    id: 'o1',
    number: 'K-7',
    status: 'picking',
    store_id: 's1',
    customer_id: 'u1',
    subtotal: 21000,
    fees: [{ code: 'delivery', label: 'Delivery', amount: 3000 }],
    fees_total: 3000,
    discount: 0,
    tip: 0,
    total: 24000,
    currency: 'EUR',
    item_count: 3,
    payment_method: 'card',
    created_at: at,
    coupon_code: null,
    eta_minutes: 12,
    delivery_otp: '1234',
    address: { line1: 'Fredrikinkatu 25' },
    delivery_instructions: null,
    cancel_reason: null,
    confirmed_at: at,
    pay_by: null,
    timeline: [{ status: 'confirmed', at, actor: 'system', actor_role: 'system', note: null }],
    payment: { id: 'pay1', status: 'succeeded', provider: 'sandbox', refunded: 0 },
    items: [
      line({
        id: 'l1',
        product_id: 'p1',
        name: 'Bread',
        unit_price: 4500,
        quantity: 2,
        line_total: 9000,
      }),
      line({
        id: 'l2',
        product_id: 'p2',
        name: 'Milk',
        unit_price: 12000,
        quantity: 1,
        line_total: 12000,
      }),
    ],
    substitutions: [],
    ...over,
  } as unknown as Order;
}

const offer = (over: Record<string, unknown> = {}) => ({
  id: 'sub1',
  order_id: 'o1',
  line_id: 'l1',
  replaces: 'Bread',
  product_id: 'p9',
  name: 'Brown bread',
  unit: '400 g',
  quantity: 2,
  unit_price: 5000,
  charged_unit_price: 4500,
  dearer: true,
  status: 'proposed',
  expires_at: new Date(Date.now() + 272_000).toISOString(),
  decided_at: null,
  paid_difference: false,
  ...over,
});

function serve(current: () => Order, more: Parameters<typeof fakeServer>[0] = {}) {
  setTokens({ access_token: 'A', refresh_token: 'R' });
  return fakeServer({
    ...more,
    'GET /api/v1/me': () => ({ body: ME }),
    'GET /api/v1/orders/{id}/tracking': () => ({
      body: { status: current().status, eta_minutes: 12, rider: null, timeline: [] },
    }),
    'GET /api/v1/orders/{id}': () => ({ body: current() }),
    'GET /api/v1/stores': () => ({ body: { items: [], next_cursor: null } }),
  });
}

describe('a substitute on the order page', () => {
  it('shows the offer with a countdown, and the new bill once approved', async () => {
    let now = order({ substitutions: [offer()] });
    const approved = order({
      items: [
        line({
          id: 'l1',
          product_id: 'p1',
          name: 'Bread',
          unit_price: 4500,
          quantity: 2,
          line_total: 9000,
          status: 'substituted',
        }),
        line({
          id: 'l2',
          product_id: 'p2',
          name: 'Milk',
          unit_price: 12000,
          quantity: 1,
          line_total: 12000,
        }),
        line({
          id: 'l3',
          product_id: 'p9',
          name: 'Brown bread',
          unit_price: 4500,
          quantity: 2,
          line_total: 9000,
          substitute_for: 'l1',
        }),
      ],
      substitutions: [offer({ status: 'approved', decided_at: at })],
    });
    const { calls } = serve(() => now, {
      'POST /api/v1/orders/{id}/substitutions/{sid}/approve': () => {
        now = approved;
        return { body: approved };
      },
    });
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    expect(
      await screen.findByRole('heading', { name: 'A substitute for Bread' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('substitution-offer')).toHaveTextContent(
      `2 × Brown bread (400 g) instead, for ${formatMoney(9000, 'EUR')}`,
    );
    // dearer in the store: the original's price, unless the customer pays the store's
    expect(
      screen.getByText(/you pay what the original cost, unless you choose to pay/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Approve at/ })).toBeInTheDocument();
    expect(screen.getByRole('timer').textContent).toMatch(/^Answer within 4:(3\d|2\d)/);

    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.queryByTestId('substitution-offer')).toBeNull());
    const approve = calls.find((c) => c.path.endsWith('/approve'))!;
    expect(approve.path).toBe('/api/v1/orders/o1/substitutions/sub1/approve');
    expect(approve.body).toEqual({ pay_difference: false });
    expect(screen.getByTestId('order-changed')).toHaveTextContent(
      `Bread was replaced by Brown bread. Your total stays ${formatMoney(24000, 'EUR')}.`,
    );
    expect(document.querySelector('[data-line-status="substituted"] s')).toHaveTextContent(
      '2 × Bread',
    );
  });

  it('on a card order, pays the difference as a payment of its own', async () => {
    const pending = {
      id: 'd1',
      status: 'pending',
      provider: 'sandbox',
      amount: 1000,
      currency: 'EUR',
      order_id: 'o1',
      method: 'card',
      captured_amount: 0,
      refunded_amount: 0,
    };
    let now = order({ substitutions: [offer()] });
    const { calls } = serve(() => now, {
      'POST /api/v1/orders/{id}/substitutions/{sid}/approve': () => {
        now = order({ substitutions: [offer({ difference_payment: pending })] });
        return { body: now };
      },
      'POST /api/v1/payments/{id}/confirm': () => {
        const paid = { ...pending, status: 'succeeded', captured_amount: 1000 };
        now = order({ substitutions: [offer({ difference_payment: paid })] });
        return { body: { ...paid, failure_reason: null } };
      },
    });
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    await userEvent.click(
      await screen.findByRole('button', { name: `Approve at ${formatMoney(10000, 'EUR')}` }),
    );
    const panel = await screen.findByTestId('difference-payment');
    expect(panel).toHaveTextContent(`your order costs ${formatMoney(1000, 'EUR')} more`);
    // the order's own method only, with the sandbox's card field
    expect(screen.queryByRole('radio', { name: 'UPI' })).toBeNull();
    expect(screen.getByLabelText('Card number')).toHaveValue('4242424242424242');
    await userEvent.click(screen.getByRole('button', { name: `Pay ${formatMoney(1000, 'EUR')}` }));
    expect(await screen.findByTestId('difference-paid')).toHaveTextContent(
      `You paid ${formatMoney(1000, 'EUR')} more`,
    );
    const approve = calls.find((c) => c.path.endsWith('/approve'))!;
    expect(approve.body).toEqual({ pay_difference: true });
    const confirm = calls.find((c) => c.path.endsWith('/confirm'))!;
    expect(confirm.path).toBe('/api/v1/payments/d1/confirm');
    expect(confirm.body).toEqual({ card_number: '4242424242424242' });
  });

  it('declines, and says what was refunded', async () => {
    let now = order({
      substitutions: [
        offer({
          line_id: 'l2',
          replaces: 'Milk',
          dearer: false,
          unit_price: 4000,
          charged_unit_price: 4000,
          quantity: 1,
        }),
      ],
    });
    const declined = order({
      subtotal: 9000,
      total: 12000,
      item_count: 2,
      payment: { id: 'pay1', status: 'succeeded', provider: 'sandbox', refunded: 12000 },
      items: [
        line({
          id: 'l1',
          product_id: 'p1',
          name: 'Bread',
          unit_price: 4500,
          quantity: 2,
          line_total: 9000,
        }),
        line({
          id: 'l2',
          product_id: 'p2',
          name: 'Milk',
          unit_price: 12000,
          quantity: 1,
          line_total: 12000,
          status: 'unavailable',
        }),
      ],
      substitutions: [offer({ status: 'declined' })],
    });
    const { calls } = serve(() => now, {
      'POST /api/v1/orders/{id}/substitutions/{sid}/decline': () => {
        now = declined;
        return { body: declined };
      },
    });
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    await userEvent.click(await screen.findByRole('button', { name: 'Decline' }));
    expect(await screen.findByTestId('order-changed')).toHaveTextContent(
      `Milk was out of stock and left out. Your new total is ${formatMoney(12000, 'EUR')}; ${formatMoney(12000, 'EUR')} is refunded to your card.`,
    );
    expect(screen.getByTestId('order-total')).toHaveTextContent(formatMoney(12000, 'EUR'));
    expect(screen.getByTestId('refunded')).toHaveTextContent(formatMoney(12000, 'EUR'));
    expect(calls.some((c) => c.path === '/api/v1/orders/o1/substitutions/sub1/decline')).toBe(true);
  });

  it('lets a cash customer pay the store’s price, and not once the time is up', async () => {
    serve(() => order({ payment_method: 'cod', substitutions: [offer()] }));
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    expect(
      await screen.findByRole('button', { name: `Approve at ${formatMoney(10000, 'EUR')}` }),
    ).toBeEnabled();
    cleanup();

    serve(() =>
      order({ substitutions: [offer({ expires_at: new Date(Date.now() - 1000).toISOString() })] }),
    );
    renderApp(<OrderPage id="o1" />, '/orders/o1');
    expect(await screen.findByRole('timer')).toHaveTextContent('The time to answer is up');
    expect(screen.getByRole('button', { name: 'Approve' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Decline' })).toBeDisabled();
  });
});

describe('change words', () => {
  it('says nothing when nothing changed, and the cash due when it did', () => {
    expect(changeWords(order())).toBeNull();
    const cash = order({
      payment_method: 'cod',
      total: 12000,
      items: [
        line({
          id: 'l1',
          product_id: 'p1',
          name: 'Bread',
          unit_price: 4500,
          quantity: 2,
          line_total: 9000,
          status: 'unavailable',
        }),
        line({
          id: 'l2',
          product_id: 'p2',
          name: 'Milk',
          unit_price: 12000,
          quantity: 1,
          line_total: 12000,
          status: 'unavailable',
        }),
      ],
    });
    expect(changeWords(cash)).toBe(
      `Bread and Milk were out of stock and left out. Your new total is ${formatMoney(12000, 'EUR')}, paid in cash to the rider.`,
    );
  });

  it('writes a countdown as minutes and seconds', () => {
    expect([clockText(272), clockText(59), clockText(0), clockText(-3)]).toEqual([
      '4:32',
      '0:59',
      '0:00',
      '0:00',
    ]);
  });
});
