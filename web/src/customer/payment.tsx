/** What the customer pays with at checkout and on an unpaid order's page: the methods offered,
 * the fields the chosen method's provider needs (src/customer/providers.ts runs its flow). */
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useAuth } from '../lib/auth';
import { CONFIG_KEY } from '../lib/market';
import { useQuery } from '../lib/query';
import { ErrorBanner, Skeleton, TextField } from '../ui';
import {
  FLOWS,
  mountStripeCard,
  pay,
  SANDBOX_SETUP,
  type MethodSetup,
  type MountedCard,
  type PaymentSetup,
} from './providers';

export type Method = 'card' | 'upi' | 'cod';

const METHODS: Array<[Method, string]> = [
  ['card', 'Credit or debit card'],
  ['upi', 'UPI'],
  ['cod', 'Cash on delivery'],
];

/** The method the customer pays by and what the sandbox needs for it (a card number, a UPI ID). */
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

/**
 * Who takes each payment method (GET /api/v1/config), the card field a provider's script
 * mounted, and a `pay` that runs the pending payment's provider flow with what was chosen.
 */
export function usePayment() {
  const { user } = useAuth();
  const config = useQuery(CONFIG_KEY, () => unwrap(api.GET('/api/v1/config')));
  const card = useRef<MountedCard | null>(null);
  const setup: PaymentSetup = config.data?.payments ?? SANDBOX_SETUP;
  return {
    setup,
    /** Until the config has answered (or failed to), the fields would guess the provider. */
    loading: config.loading && !config.data,
    card,
    pay: (payment: { id: string; provider: string } | null | undefined, choice: PaymentChoice) =>
      pay({ payment, method: choice.method, choice, card: card.current, customer: user }),
  };
}

export type PaymentFlow = ReturnType<typeof usePayment>;

/** The payment method radios and what the chosen method's provider needs; checkout and Pay now. */
export function PaymentFields({
  choice,
  onChange,
  flow,
  locked = false,
  name = 'method',
  only,
}: {
  choice: PaymentChoice;
  onChange: (next: PaymentChoice) => void;
  flow: PaymentFlow;
  locked?: boolean;
  name?: string;
  /** Offer this method alone (a substitute's difference is paid the way the order was). */
  only?: Method;
}) {
  const offered = METHODS.filter(
    ([m]) => (m !== 'upi' || flow.setup.upi) && (only === undefined || m === only),
  );
  const setup = flow.setup[choice.method] ?? null;
  const asks = setup ? FLOWS[setup.provider].asks : 'typed';
  return (
    <>
      <div className="stack" role="radiogroup" aria-label="Payment method">
        {offered.map(([m, label]) => (
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
      {choice.method === 'cod' ? (
        <p className="subtle" style={{ margin: 0 }}>
          Pay the rider in cash or UPI at your door.
        </p>
      ) : flow.loading ? (
        <Skeleton height={56} />
      ) : asks === 'card-element' && setup ? (
        <StripeCardField setup={setup} locked={locked} card={flow.card} />
      ) : asks === 'window' && setup ? (
        <p className="subtle" style={{ margin: 0 }} data-testid="provider-window-note">
          {choice.method === 'card'
            ? 'You enter your card in Razorpay’s secure window after you press Pay.'
            : 'You choose your UPI app or enter your UPI ID in Razorpay’s secure window after you press Pay.'}
          {setup.test_mode
            ? ' Test mode, nothing is charged: card 4111 1111 1111 1111, or UPI ID success@razorpay.'
            : ''}
        </p>
      ) : choice.method === 'card' ? (
        <TextField
          label="Card number"
          value={choice.card}
          onChange={(e) => onChange({ ...choice, card: e.target.value })}
          inputMode="numeric"
          autoComplete="cc-number"
          hint="Sandbox: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined."
        />
      ) : (
        <TextField
          label="UPI ID"
          value={choice.vpa}
          onChange={(e) => onChange({ ...choice, vpa: e.target.value })}
          hint="Sandbox: success@upi succeeds, failure@upi fails."
        />
      )}
    </>
  );
}

/** Stripe's card Element, mounted from Stripe.js (loaded from the config's URL) while shown. */
function StripeCardField({
  setup,
  locked,
  card,
}: {
  setup: MethodSetup;
  locked: boolean;
  card: { current: MountedCard | null };
}) {
  const target = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let mine: MountedCard | null = null;
    let gone = false;
    setError(null);
    mountStripeCard(setup, target.current!).then(
      (mounted) => {
        if (gone) return mounted.card.destroy();
        mine = mounted;
        card.current = mounted;
        setReady(true);
      },
      (e: unknown) => {
        if (!gone) setError(e);
      },
    );
    return () => {
      gone = true;
      if (mine) {
        mine.card.destroy();
        if (card.current === mine) card.current = null;
      }
      setReady(false);
    };
  }, [setup, card]);
  useEffect(() => {
    if (ready) card.current?.card.update({ disabled: locked });
  }, [ready, locked, card]);
  return (
    <div className="field">
      <span id="stripe-card-label">Card</span>
      <div
        ref={target}
        className="input"
        role="group"
        aria-labelledby="stripe-card-label"
        data-testid="stripe-card"
        style={{ padding: 12, minHeight: 44 }}
      />
      {!ready && !error ? <span className="field-hint">Loading the card form…</span> : null}
      <ErrorBanner error={error} />
      {setup.test_mode ? (
        <span className="field-hint">
          Stripe test mode, nothing is charged: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is
          declined; any future date and CVC.
        </span>
      ) : null}
    </div>
  );
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
