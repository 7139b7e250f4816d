import { useEffect, useRef, useState } from 'react';
import { idempotencyKey } from '../lib/api';
import { formatMoney } from '../lib/money';
import { invalidateKey } from '../lib/query';
import type { Order } from '../lib/types';
import { Button, ErrorBanner } from '../ui';
import {
  FIRST_CHOICE,
  payAgain,
  PaymentFields,
  timeLeftInWords,
  usePayment,
  type PaymentChoice,
} from './payment';

/** The clock, read again every ``everyMs``. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Whether an order still waits for the customer to pay (a payment that went through waits
 * only for the gateway's word, so it is not offered again). */
export function awaitsPayment(order: Order): boolean {
  return (
    order.status === 'pending_payment' && !!order.pay_by && order.payment?.status !== 'succeeded'
  );
}

/**
 * "Pay now" on an unpaid order's page: card, UPI or cash on delivery for the same order, with
 * the time left in its payment window in words; once the window closes, what happens instead.
 */
export function PayNow({
  order,
  onChange,
  onSettled,
}: {
  order: Order;
  /** The order as the new payment left it. */
  onChange: (order: Order) => void;
  /** The payment was confirmed or declined: read the order again. */
  onSettled: () => void;
}) {
  const now = useNow(10_000);
  const [choice, setChoice] = useState<PaymentChoice>(FIRST_CHOICE);
  const payment = usePayment();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // One key per attempt: a retried request after a network error reuses it.
  const keyRef = useRef<{ key: string; method: string } | null>(null);
  if (!order.pay_by) return null;
  const left = new Date(order.pay_by).getTime() - now;

  if (left <= 0) {
    return (
      <div className="banner warn" role="status" data-testid="payment-window">
        The time to pay for this order is over. It is being cancelled, nothing will be charged, and
        its items go back to your cart.
      </div>
    );
  }

  async function pay() {
    setBusy(true);
    setError(null);
    try {
      if (!keyRef.current || keyRef.current.method !== choice.method)
        keyRef.current = { key: idempotencyKey(), method: choice.method };
      const again = (await payAgain(order.id, choice.method, keyRef.current.key)) as Order;
      keyRef.current = null;
      onChange(again);
      const outcome = await payment.pay(again.payment, choice);
      if (outcome.kind !== 'paid') setError(outcome.error);
      invalidateKey('orders'); // the list, whose entry for this order has changed
      onSettled();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const failed = order.payment?.status === 'failed';
  return (
    <section className="card stack" aria-labelledby="pay-now-h">
      <h2 id="pay-now-h" style={{ margin: 0 }}>
        Pay now
      </h2>
      <p style={{ margin: 0 }} data-testid="payment-window">
        {failed ? 'The last payment did not go through. ' : 'This order is waiting for payment. '}
        You have {timeLeftInWords(left)} left to pay by card, UPI or cash on delivery; after that
        the order is cancelled, nothing is charged and its items go back to your cart.
      </p>
      <PaymentFields choice={choice} onChange={setChoice} flow={payment} name="pay-now-method" />
      <ErrorBanner error={error} />
      <Button size="big" block busy={busy} onClick={() => void pay()}>
        {choice.method === 'cod'
          ? 'Pay cash on delivery'
          : `Pay ${formatMoney(order.total, order.currency)}`}
      </Button>
    </section>
  );
}
