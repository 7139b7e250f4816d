import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { fakeServer } from '../test/http';
import { ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { formatMoney } from '../lib/money';
import { ReceiptPage, type Receipt } from './ReceiptPage';

// A customer reads words, never the API's codes.
const RAW = /sandbox|succeeded|out_of_stock|\bcod\b|_/;
const at = '2026-01-01T10:00:00Z';

function line(id: string, name: string, quantity: number, unit: number, more = {}) {
  return {
    line_id: id,
    product_id: `p-${id}`,
    name,
    unit: '1 pc',
    quantity,
    unit_price: unit,
    line_total: quantity * unit,
    mrp: unit,
    replaces: null,
    store_unit_price: null,
    paid_difference: false,
    removed_because: null,
    ...more,
  };
}

function receipt(method: 'card' | 'cod'): Receipt {
  const lines = [
    line('l1', 'Brown Bread', 2, 5000, {
      replaces: {
        line_id: 'l0',
        name: 'White Bread',
        unit: '1 pc',
        quantity: 2,
        unit_price: 4500,
        line_total: 9000,
      },
      store_unit_price: 5000,
      paid_difference: true,
    }),
  ];
  const total = 10000 + 2900;
  const cash = method === 'cod';
  return {
    order_id: 'o1',
    number: 'K-1001',
    status: 'delivered',
    currency: 'EUR',
    payment_method: method,
    placed_at: at,
    delivered_at: at,
    store: { id: 's1', name: 'Kamppi', address: 'Urho Kekkosen katu 1' },
    customer_name: 'Asha',
    address: { line1: 'Fredrikinkatu 25', city: 'Helsinki' },
    lines,
    removed: [
      line('l2', 'Toned Milk', 1, 12000, { removed_because: 'out_of_stock' }),
    ] as Receipt['removed'],
    item_count: 2,
    subtotal: 10000,
    fees: [{ code: 'delivery', label: 'Delivery fee', amount: 2900 }],
    fees_total: 2900,
    delivery_fee: 2900,
    coupon_code: null,
    discount: 0,
    tip: 0,
    total,
    mrp_savings: 0,
    payments: cash
      ? [
          {
            payment_id: 'pay1',
            kind: 'order',
            method: 'cod',
            provider: 'cod',
            amount: total,
            currency: 'EUR',
            at,
          },
        ]
      : [
          {
            payment_id: 'pay1',
            kind: 'order',
            method: 'card',
            provider: 'sandbox',
            amount: 23900,
            currency: 'EUR',
            at,
          },
          {
            payment_id: 'pay2',
            kind: 'difference',
            method: 'card',
            provider: 'sandbox',
            amount: 1000,
            currency: 'EUR',
            at,
          },
        ],
    refunds: cash
      ? []
      : [
          {
            refund_id: 'r1',
            payment_id: 'pay2',
            amount: 1000,
            reason: 'order K-1001 changed while picking',
            status: 'sent',
            at,
          },
          {
            refund_id: 'r2',
            payment_id: 'pay1',
            amount: 11000,
            reason: 'order K-1001 changed while picking',
            status: 'pending',
            at,
          },
        ],
    paid: cash ? total : 24900,
    refunded: cash ? 0 : 12000,
    net_paid: total,
    balance_due: 0,
    cash: cash
      ? { amount: total, tendered: 20000, change: 20000 - total, rider_name: 'Ravi', at }
      : null,
  } as Receipt;
}

function serve(r: Receipt) {
  setTokens({ access_token: 'A', refresh_token: 'R' });
  fakeServer({
    'GET /api/v1/me': () => ({ body: ME }),
    'GET /api/v1/orders/{id}/receipt': () => ({ body: r }),
  });
}

describe('the receipt', () => {
  it('shows a substitute under the line it replaced, the line left out, and each refund', async () => {
    serve(receipt('card'));
    renderApp(<ReceiptPage id="o1" />, '/orders/o1/receipt');
    await screen.findByRole('heading', { name: 'Receipt · Order #K-1001' });
    const [sub] = screen.getAllByTestId('receipt-line');
    expect(sub).toHaveTextContent('Brown Bread');
    expect(within(sub!).getByTestId('receipt-replaces')).toHaveTextContent(
      'Substitute for 2 × White Bread',
    );
    expect(sub).toHaveTextContent('as you agreed');
    expect(screen.getByTestId('receipt-removed')).toHaveTextContent('Toned Milk — out of stock');
    expect(screen.getByTestId('receipt-total')).toHaveTextContent(formatMoney(12900));
    const payments = screen.getAllByTestId('receipt-payment').map((p) => p.textContent);
    expect(payments[0]).toContain('Card payment');
    expect(payments[1]).toContain('Substitute difference, by Card');
    const refunds = screen.getAllByTestId('receipt-refund').map((p) => p.textContent);
    expect(refunds[1]).toContain('Refund to your card (on its way)');
    expect(screen.getByTestId('receipt-net-paid')).toHaveTextContent(formatMoney(12900));
    expect(screen.queryByTestId('receipt-cash-tendered')).toBeNull();
    expect(screen.getByRole('link', { name: /Back to the order/ })).toHaveAttribute(
      'href',
      '/orders/o1',
    );
    expect(document.body.textContent).not.toMatch(RAW);
  });

  it('shows the cash handed over and the change on a cash order', async () => {
    serve(receipt('cod'));
    renderApp(<ReceiptPage id="o1" />, '/orders/o1/receipt');
    expect(await screen.findByTestId('receipt-cash-tendered')).toHaveTextContent(
      formatMoney(20000),
    );
    expect(screen.getByTestId('receipt-change')).toHaveTextContent(formatMoney(20000 - 12900));
    expect(screen.getByTestId('receipt-change')).toHaveTextContent('by Ravi');
    expect(screen.getByTestId('receipt-payment')).toHaveTextContent('Cash paid');
    expect(screen.getByTestId('receipt-net-paid')).toHaveTextContent(formatMoney(12900));
    expect(document.body.textContent).not.toMatch(RAW);
  });
});
