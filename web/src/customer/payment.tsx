import { api, unwrap } from '../lib/api';
import { ApiError } from '../lib/problem';
import { TextField } from '../ui';

export type Method = 'card' | 'upi' | 'cod';

const METHODS: Array<[Method, string]> = [
  ['card', 'Credit or debit card'],
  ['upi', 'UPI'],
  ['cod', 'Cash on delivery'],
];

/** The method the customer pays by and what that method needs (a card number, a UPI ID). */
export interface PaymentChoice {
  method: Method;
  card: string;
  vpa: string;
}

export const FIRST_CHOICE: PaymentChoice = {
  method: 'card',
  card: '4242424242424242',
  vpa: 'success@upi',
};

/** The payment method radios and the field the chosen method needs; checkout and Pay now. */
export function PaymentFields({
  choice,
  onChange,
  locked = false,
  name = 'method',
}: {
  choice: PaymentChoice;
  onChange: (next: PaymentChoice) => void;
  locked?: boolean;
  name?: string;
}) {
  return (
    <>
      <div className="stack" role="radiogroup" aria-label="Payment method">
        {METHODS.map(([m, label]) => (
          <label className="choice" key={m}>
            <input
              type="radio"
              name={name}
              checked={choice.method === m}
              onChange={() => onChange({ ...choice, method: m })}
              disabled={locked}
            />
            <span>{label}</span>
          </label>
        ))}
      </div>
      {choice.method === 'card' ? (
        <TextField
          label="Card number"
          value={choice.card}
          onChange={(e) => onChange({ ...choice, card: e.target.value })}
          inputMode="numeric"
          autoComplete="cc-number"
          hint="Sandbox: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined."
        />
      ) : choice.method === 'upi' ? (
        <TextField
          label="UPI ID"
          value={choice.vpa}
          onChange={(e) => onChange({ ...choice, vpa: e.target.value })}
          hint="Sandbox: success@upi succeeds, failure@upi fails."
        />
      ) : (
        <p className="subtle" style={{ margin: 0 }}>
          Pay the rider in cash or UPI at your door.
        </p>
      )}
    </>
  );
}

/** The refusal shown when a card or UPI payment is declined. */
export const DECLINED = new ApiError(402, {
  title: 'Payment failed',
  detail: 'The payment was declined. Try another card or UPI ID, or choose cash on delivery.',
});

/**
 * Confirms a card or UPI payment with what the customer typed; true when it went through (a
 * cash order has nothing to confirm), false when it was declined.
 */
export async function confirmPayment(
  payment: { id: string } | null | undefined,
  choice: PaymentChoice,
): Promise<boolean> {
  if (!payment || choice.method === 'cod') return true;
  const body =
    choice.method === 'card'
      ? { card_number: choice.card.replace(/\s+/g, '') }
      : { upi_vpa: choice.vpa.trim() };
  const result = await unwrap(
    api.POST('/api/v1/payments/{payment_id}/confirm', {
      params: { path: { payment_id: payment.id } },
      body,
    }),
  );
  return result.status !== 'failed';
}

/** A new payment for an unpaid order, by ``method``, once per Idempotency-Key. */
export function payAgain(orderId: string, method: Method, key: string) {
  return unwrap(
    api.POST('/api/v1/orders/{order_id}/payments', {
      params: { path: { order_id: orderId }, header: { 'Idempotency-Key': key } },
      body: { payment_method: method },
    }),
  );
}

/** Time left in words: "14 minutes", "1 minute", "less than a minute". */
export function timeLeftInWords(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
