/** A picker's substitute, answered by the customer live, and what the store's changes did to
 * the bill and the payment, in words. */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { clockText, useSecondsLeft } from '../lib/countdown';
import { formatMoney } from '../lib/money';
import type { Order, Substitution } from '../lib/types';
import { Button, ErrorBanner } from '../ui';
import {
  FIRST_CHOICE,
  PaymentFields,
  usePayment,
  type Method,
  type PaymentChoice,
} from './payment';

type Answer = 'approve' | 'pay' | 'decline';

export function SubstitutionOffer({
  order,
  offer,
  onAnswered,
}: {
  order: Order;
  offer: Substitution;
  onAnswered: (next: Order) => void;
}) {
  const left = useSecondsLeft(offer.expires_at);
  const [busy, setBusy] = useState<Answer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const original = order.items.find((i) => i.id === offer.line_id);
  const currency = order.currency;
  const charged = offer.charged_unit_price * offer.quantity;
  const storePrice = offer.unit_price * offer.quantity;
  // A cash order's amount due grows; an order paid online pays the difference as a payment
  // of its own, and the substitute is approved once that payment succeeds.
  const mayPayMore = offer.dearer;
  const paidOnline = order.payment_method !== 'cod';
  const difference = offer.difference_payment ?? null;
  const payment = usePayment();
  const [choice, setChoice] = useState<PaymentChoice>({
    ...FIRST_CHOICE,
    method: order.payment_method as Method,
  });

  async function payDifference() {
    if (!difference) return;
    setBusy('pay');
    setError(null);
    try {
      const outcome = await payment.pay(difference, choice);
      if (outcome.kind !== 'paid') setError(outcome.error);
      onAnswered(
        await unwrap(
          api.GET('/api/v1/orders/{order_id}', { params: { path: { order_id: order.id } } }),
        ),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  async function answer(kind: Answer) {
    setBusy(kind);
    setError(null);
    const params = { path: { order_id: order.id, substitution_id: offer.id } };
    try {
      onAnswered(
        kind === 'decline'
          ? await unwrap(
              api.POST('/api/v1/orders/{order_id}/substitutions/{substitution_id}/decline', {
                params,
              }),
            )
          : await unwrap(
              api.POST('/api/v1/orders/{order_id}/substitutions/{substitution_id}/approve', {
                params,
                body: { pay_difference: kind === 'pay' },
              }),
            ),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  const heading = `sub-h-${offer.id}`;
  return (
    <section
      className="card stack substitution-offer"
      aria-labelledby={heading}
      data-testid="substitution-offer"
    >
      <h2 id={heading} style={{ margin: 0 }}>
        A substitute for {offer.replaces}
      </h2>
      <p style={{ margin: 0 }}>
        {offer.replaces} is out of stock. The store can send{' '}
        <strong>
          {offer.quantity} × {offer.name}
        </strong>
        {offer.unit ? ` (${offer.unit})` : ''} instead, for {formatMoney(charged, currency)}
        {original ? ` — the original was ${formatMoney(original.line_total, currency)}` : ''}.
      </p>
      {offer.dearer ? (
        <p className="subtle" style={{ margin: 0 }}>
          It costs {formatMoney(storePrice, currency)} in the store; you pay what the original cost
          {mayPayMore ? ', unless you choose to pay the store’s price' : ''}.
        </p>
      ) : null}
      <p role="timer" aria-live="off" className="subtle" style={{ margin: 0 }}>
        {left > 0
          ? `Answer within ${clockText(left)}, or it is left out and you are not charged for it.`
          : 'The time to answer is up: it is left out of your order.'}
      </p>
      <ErrorBanner error={error} />
      {paidOnline && difference && difference.status === 'succeeded' ? (
        <p role="status" style={{ margin: 0 }} data-testid="difference-paid">
          You paid {formatMoney(difference.amount, currency)} more; the store is sending{' '}
          {offer.name}.
        </p>
      ) : paidOnline && difference && difference.status === 'pending' && left > 0 ? (
        <div className="stack" data-testid="difference-payment">
          <p style={{ margin: 0 }}>
            At the store’s price your order costs {formatMoney(difference.amount, currency)} more.
            Pay it the way you paid the order; the substitute is added once it is paid.
          </p>
          <PaymentFields
            choice={choice}
            onChange={setChoice}
            flow={payment}
            only={order.payment_method as Method}
            name={`difference-${offer.id}`}
          />
          <Button busy={busy === 'pay'} disabled={!!busy} onClick={() => void payDifference()}>
            Pay {formatMoney(difference.amount, currency)}
          </Button>
        </div>
      ) : null}
      <div className="row wrap" style={{ gap: 8 }}>
        <Button
          busy={busy === 'approve'}
          disabled={!!busy || left === 0}
          onClick={() => void answer('approve')}
        >
          Approve
        </Button>
        {mayPayMore && !(paidOnline && difference?.status === 'pending') ? (
          <Button
            variant="secondary"
            busy={busy === 'pay'}
            disabled={!!busy || left === 0}
            onClick={() => void answer('pay')}
          >
            Approve at {formatMoney(storePrice, currency)}
          </Button>
        ) : null}
        <Button
          variant="ghost"
          busy={busy === 'decline'}
          disabled={!!busy || left === 0}
          onClick={() => void answer('decline')}
        >
          Decline
        </Button>
      </div>
    </section>
  );
}

function names(items: Array<{ name: string }>): string {
  const all = items.map((i) => i.name);
  return all.length <= 1 ? (all[0] ?? '') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

/** What the store's changes did to the order and its money, in words; null if nothing changed. */
export function changeWords(order: Order): string | null {
  const gone = order.items.filter((i) => i.status === 'unavailable');
  const swapped = order.items.filter((i) => i.status === 'substituted');
  if (!gone.length && !swapped.length) return null;
  const said: string[] = [];
  if (gone.length)
    said.push(`${names(gone)} ${gone.length === 1 ? 'was' : 'were'} out of stock and left out`);
  for (const old of swapped) {
    const instead = order.items.find((i) => i.substitute_for === old.id);
    if (instead) said.push(`${old.name} was replaced by ${instead.name}`);
  }
  const what = `${said.join('; ')}.`;
  const total = formatMoney(order.total, order.currency);
  const refunded = order.payment?.refunded ?? 0;
  if (order.payment_method === 'cod')
    return `${what} Your new total is ${total}, paid in cash to the rider.`;
  if (refunded > 0) {
    const to = order.payment_method === 'upi' ? 'your UPI account' : 'your card';
    return `${what} Your new total is ${total}; ${formatMoney(refunded, order.currency)} is refunded to ${to}.`;
  }
  return `${what} Your total stays ${total}.`;
}
