/**
 * An order's itemised receipt, as printed on paper: the lines as picked (a substitute under the
 * line it replaced, what the store had none of struck through), the bill, every payment and
 * refund, and on a cash order the cash handed over and the change. Every figure is the server's
 * (GET /api/v1/orders/{id}/receipt), in minor units that add up; the page only writes them.
 */
import { api, unwrap } from '../lib/api';
import { methodLabel, statusLabel } from '../lib/labels';
import { market } from '../lib/market';
import { formatMoney } from '../lib/money';
import { useQuery } from '../lib/query';
import { Link } from '../lib/router';
import type { Res } from '../lib/types';
import { Button, ErrorBanner, Skeleton } from '../ui';

export type Receipt = Res<'/api/v1/orders/{order_id}/receipt', 'get'>;
type Payment = Receipt['payments'][number];
type Refund = Receipt['refunds'][number];

const REMOVED_WORDS: Record<string, string> = {
  out_of_stock: 'out of stock',
  substitute_declined: 'substitute declined',
  substitute_lapsed: 'no answer to the substitute',
};

function when(at: string | null | undefined): string {
  if (!at) return '';
  return new Date(at).toLocaleString(market.locale, {
    timeZone: market.timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

/** How one capture reads: "Card payment", "Substitute difference, by card", "Cash paid". */
export function paymentWords(payment: Payment): string {
  const by = payment.method === 'cod' ? 'cash' : methodLabel(payment.method);
  if (payment.kind === 'difference') return `Substitute difference, by ${by}`;
  if (payment.kind === 'late') return `Duplicate ${by} payment`;
  return payment.method === 'cod' ? 'Cash paid' : `${by} payment`;
}

export function refundWords(refund: Refund, method: string): string {
  const to = method === 'cod' ? '' : method === 'upi' ? ' to your UPI account' : ' to your card';
  if (refund.status === 'pending') return `Refund${to} (on its way)`;
  if (refund.status === 'failed') return `Refund${to} (delayed; our team is on it)`;
  return `Refund${to}`;
}

function Row({
  label,
  amount,
  currency,
  testId,
  className,
  note,
}: {
  label: string;
  amount: number;
  currency: string;
  testId?: string;
  className?: string;
  note?: string | null;
}) {
  return (
    <div className={`receipt-row ${className ?? ''}`} data-testid={testId}>
      <span>
        {label}
        {note ? <span className="receipt-note">{note}</span> : null}
      </span>
      <span className="num">{formatMoney(amount, currency)}</span>
    </div>
  );
}

export function ReceiptView({ receipt: r }: { receipt: Receipt }) {
  const c = r.currency;
  const otherFees = r.fees.filter((f) => f.code !== 'delivery');
  return (
    <article className="receipt" aria-labelledby="receipt-h">
      <header className="receipt-head">
        <div className="receipt-brand">Kirana</div>
        <div>{r.store.name}</div>
        {r.store.address ? <div className="receipt-note">{r.store.address}</div> : null}
        <h1 id="receipt-h">Receipt · Order #{r.number}</h1>
        <div className="receipt-note">Placed {when(r.placed_at)}</div>
        {r.delivered_at ? (
          <div className="receipt-note">Delivered {when(r.delivered_at)}</div>
        ) : (
          <div className="receipt-note">Status: {statusLabel(r.status)}</div>
        )}
        <div className="receipt-note">
          For {r.customer_name}
          {r.address.line1 ? `, ${String(r.address.line1)}` : ''}
          {r.address.city ? `, ${String(r.address.city)}` : ''}
        </div>
      </header>

      <section aria-label="Items" className="receipt-section">
        {r.lines.map((line) => (
          <div key={line.line_id} className="receipt-line" data-testid="receipt-line">
            <div className="receipt-row">
              <span>
                {line.name} <span className="receipt-note">{line.unit}</span>
              </span>
              <span className="num">{formatMoney(line.line_total, c)}</span>
            </div>
            <div className="receipt-note">
              {line.quantity} × {formatMoney(line.unit_price, c)}
              {line.replaces && line.store_unit_price != null
                ? line.paid_difference
                  ? ' · at the store’s price, as you agreed'
                  : line.store_unit_price > line.unit_price
                    ? ` · store price ${formatMoney(line.store_unit_price, c)}, charged no more than the original`
                    : ''
                : ''}
            </div>
            {line.replaces ? (
              <div className="receipt-note receipt-replaced" data-testid="receipt-replaces">
                Substitute for {line.replaces.quantity} × {line.replaces.name} (
                <s>{formatMoney(line.replaces.line_total, c)}</s>)
              </div>
            ) : null}
          </div>
        ))}
        {r.removed.length ? (
          <div className="receipt-removed">
            <div className="receipt-label">Not delivered, not charged</div>
            {r.removed.map((line) => (
              <div
                key={line.line_id}
                className="receipt-row receipt-note"
                data-testid="receipt-removed"
              >
                <span>
                  <s>
                    {line.quantity} × {line.name}
                  </s>{' '}
                  — {REMOVED_WORDS[line.removed_because ?? ''] ?? 'left out'}
                </span>
                <span className="num">
                  <s>{formatMoney(line.line_total, c)}</s>
                </span>
              </div>
            ))}
          </div>
        ) : null}
      </section>

      <section aria-label="Bill" className="receipt-section">
        <Row
          label={`Items (${r.item_count})`}
          amount={r.subtotal}
          currency={c}
          testId="receipt-subtotal"
        />
        <Row
          label="Delivery fee"
          amount={r.delivery_fee}
          currency={c}
          testId="receipt-delivery-fee"
        />
        {otherFees.map((f) => (
          <Row key={f.code} label={f.label} amount={f.amount} currency={c} />
        ))}
        {r.discount ? (
          <Row
            label={r.coupon_code ? `Coupon ${r.coupon_code}` : 'Discount'}
            amount={-r.discount}
            currency={c}
            testId="receipt-discount"
          />
        ) : null}
        {r.tip ? <Row label="Tip for your rider" amount={r.tip} currency={c} /> : null}
        <Row label="Total" amount={r.total} currency={c} testId="receipt-total" className="big" />
        {r.mrp_savings > 0 ? (
          <div className="receipt-note">You saved {formatMoney(r.mrp_savings, c)} on MRP</div>
        ) : null}
      </section>

      <section aria-label="Payments" className="receipt-section">
        <div className="receipt-label">Payments</div>
        {r.payments.length === 0 ? <div className="receipt-note">Nothing paid yet.</div> : null}
        {r.payments.map((p) => (
          <Row
            key={p.payment_id}
            label={paymentWords(p)}
            amount={p.amount}
            currency={c}
            note={when(p.at)}
            testId="receipt-payment"
          />
        ))}
        {r.cash ? (
          <>
            <Row
              label="Cash handed over"
              amount={r.cash.tendered}
              currency={c}
              testId="receipt-cash-tendered"
              className="indent"
            />
            <Row
              label="Change given"
              amount={r.cash.change}
              currency={c}
              testId="receipt-change"
              className="indent"
              note={r.cash.rider_name ? `by ${r.cash.rider_name}` : null}
            />
          </>
        ) : null}
        {r.refunds.map((x) => (
          <Row
            key={x.refund_id}
            label={refundWords(x, r.payment_method)}
            amount={-x.amount}
            currency={c}
            note={x.reason}
            testId="receipt-refund"
          />
        ))}
        <Row
          label="Net paid"
          amount={r.net_paid}
          currency={c}
          testId="receipt-net-paid"
          className="big"
        />
        {r.balance_due > 0 ? (
          <Row
            label={r.payment_method === 'cod' ? 'To pay the rider in cash' : 'Still to pay'}
            amount={r.balance_due}
            currency={c}
            testId="receipt-balance-due"
          />
        ) : null}
      </section>
      <footer className="receipt-foot receipt-note">
        Paid by {methodLabel(r.payment_method).toLowerCase()} · Order {r.order_id}
        <br />
        Thank you for shopping with Kirana.
      </footer>
    </article>
  );
}

export function ReceiptPage({ id }: { id: string }) {
  const receipt = useQuery(`receipt:${id}`, () =>
    unwrap(api.GET('/api/v1/orders/{order_id}/receipt', { params: { path: { order_id: id } } })),
  );
  if (!receipt.data) {
    return receipt.error ? (
      <ErrorBanner error={receipt.error} onRetry={() => void receipt.reload()} />
    ) : (
      <div className="stack receipt-page">
        <Skeleton height={40} width="60%" />
        <Skeleton height={320} />
      </div>
    );
  }
  return (
    <div className="stack receipt-page">
      <div className="row between wrap no-print">
        <Link to={`/orders/${id}`}>← Back to the order</Link>
        <Button variant="ghost" onClick={() => window.print()}>
          Print
        </Button>
      </div>
      <ReceiptView receipt={receipt.data} />
    </div>
  );
}
