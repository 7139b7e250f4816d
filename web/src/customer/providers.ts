/**
 * The payment providers' browser flows, in one table: how the customer pays a pending payment
 * with the sandbox (our server charges what was typed), Stripe (Stripe.js's card Element, then
 * `stripe.confirmCardPayment` with the client secret our server got) or Razorpay (Checkout's
 * window on the order our server made; its signed answer goes back to our server). A provider's
 * script is loaded at run time from the `script_url` GET /api/v1/config names, and only when it
 * names one (docs/payments.md); with no keys set the sandbox takes cards and UPI, as before.
 */
import type { components } from '../client/schema';
import { api, unwrap } from '../lib/api';
import { ApiError } from '../lib/problem';
import type { Method, PaymentChoice } from './payment';

export type PaymentSetup = components['schemas']['PaymentSetup'];
export type MethodSetup = components['schemas']['MethodSetup'];
type Provider = MethodSetup['provider'];

/** With no config (none yet, or the server unreachable): what the server offers with no keys. */
export const SANDBOX_SETUP: PaymentSetup = {
  card: { provider: 'sandbox', test_mode: true },
  upi: { provider: 'sandbox', test_mode: true },
  cod: { provider: 'cod', test_mode: true },
};

// The parts of Stripe.js we use (docs.stripe.com/js).
export interface StripeError {
  type: string;
  code?: string;
  decline_code?: string;
  message?: string;
}
export interface StripeCardElement {
  mount(target: HTMLElement): void;
  update(options: { disabled?: boolean }): void;
  destroy(): void;
}
export interface StripeJs {
  elements(): { create(type: 'card', options?: { hidePostalCode?: boolean }): StripeCardElement };
  confirmCardPayment(
    clientSecret: string,
    data: { payment_method: { card: StripeCardElement } },
  ): Promise<{ paymentIntent?: { id: string; status: string }; error?: StripeError }>;
}

// The parts of Razorpay Checkout we use (razorpay.com/docs/payments/payment-gateway/web-integration/standard).
export interface RazorpayAnswer {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
}
export interface RazorpayOptions {
  key: string;
  order_id: string;
  amount: number;
  currency: string;
  name: string;
  description: string;
  notes: Record<string, string>;
  prefill: { method: 'card' | 'upi'; contact?: string; email?: string; name?: string };
  retry: { enabled: boolean };
  handler: (answer: RazorpayAnswer) => void;
  modal: { ondismiss: () => void };
}
export interface RazorpayCheckout {
  open(): void;
  on(event: 'payment.failed', listener: (r: { error?: { description?: string } }) => void): void;
}

declare global {
  interface Window {
    Stripe?: (publishableKey: string) => StripeJs;
    Razorpay?: new (options: RazorpayOptions) => RazorpayCheckout;
  }
}

const loading = new Map<string, Promise<void>>();

/** Adds the provider's `<script>` once per URL; a script that fails to load is tried anew next time. */
export function loadScript(url: string): Promise<void> {
  let found = loading.get(url);
  if (!found) {
    found = new Promise<void>((resolve, reject) => {
      const tag = document.createElement('script');
      tag.src = url;
      tag.async = true;
      tag.onload = () => resolve();
      tag.onerror = () => {
        loading.delete(url);
        tag.remove();
        reject(
          new ApiError(503, {
            title: 'Payment unavailable',
            detail: 'The payment form could not be loaded. Check your connection and try again.',
          }),
        );
      };
      document.head.appendChild(tag);
    });
    loading.set(url, found);
  }
  return found;
}

/** Stripe's card field, mounted in the page, and the Stripe.js instance it belongs to. */
export interface MountedCard {
  stripe: StripeJs;
  card: StripeCardElement;
}

const stripes = new Map<string, StripeJs>();

/** Loads Stripe.js from the config's URL and mounts a card Element in `target`. */
export async function mountStripeCard(
  setup: MethodSetup,
  target: HTMLElement,
): Promise<MountedCard> {
  if (!setup.script_url || !setup.public_key) throw new Error('Stripe is not configured');
  await loadScript(setup.script_url);
  if (!window.Stripe) throw new Error('Stripe.js did not load');
  let stripe = stripes.get(setup.public_key);
  if (!stripe) {
    stripe = window.Stripe(setup.public_key);
    stripes.set(setup.public_key, stripe);
  }
  const card = stripe.elements().create('card', { hidePostalCode: true });
  card.mount(target);
  return { stripe, card };
}

/** How a try to pay ended. */
export type Outcome =
  /** Paid, or on its way (a UPI collect request the customer approves in their app). */
  | { kind: 'paid' }
  /** This payment failed: the next try is a new payment for the same order. */
  | { kind: 'declined'; error: ApiError }
  /** Not paid yet, nothing charged: the same payment can be tried again. */
  | { kind: 'unfinished'; error: ApiError };

const PAID: Outcome = { kind: 'paid' };
const DECLINED_DETAIL =
  'The payment was declined. Try another card or UPI ID, or choose cash on delivery.';

function declined(detail = DECLINED_DETAIL): Outcome {
  return { kind: 'declined', error: new ApiError(402, { title: 'Payment failed', detail }) };
}

function unfinished(detail: string): Outcome {
  return { kind: 'unfinished', error: new ApiError(409, { title: 'Not paid yet', detail }) };
}

/** What one try to pay needs: the pending payment, and what the customer chose and entered. */
export interface PayRequest {
  payment: { id: string; provider: string };
  method: Method;
  choice: PaymentChoice;
  /** Stripe's card Element, once mounted. */
  card: MountedCard | null;
  customer?: { phone?: string | null; email?: string | null; name?: string | null } | null;
}

export interface ProviderFlow {
  /** What the payment section asks for: typed test details, the provider's card field,
   * nothing (the provider's own window asks), or nothing at all (cash). */
  asks: 'typed' | 'card-element' | 'window' | 'nothing';
  pay(request: PayRequest): Promise<Outcome>;
}

function startCheckout(paymentId: string) {
  return unwrap(
    api.POST('/api/v1/payments/{payment_id}/checkout', {
      params: { path: { payment_id: paymentId } },
    }),
  );
}

/** Stripe tells our server by webhook: wait (briefly) for it to have heard, so the order page
 * shows the payment as made rather than offering to pay again. */
async function heardByServer(paymentId: string, waits = [300, 700, 1000, 2000, 3000, 5000]) {
  for (const ms of waits) {
    const status = await paymentStatus(paymentId);
    if (status !== 'pending') return status;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
  return 'pending';
}

/** A payment that ended without the money (declined, or voided meanwhile). */
const unpaid = (status: string) => status === 'failed' || status === 'cancelled';

function paymentStatus(paymentId: string) {
  return unwrap(
    api.GET('/api/v1/payments/{payment_id}', { params: { path: { payment_id: paymentId } } }),
  ).then((payment) => payment.status);
}

/** Our server checks Checkout's signed answer and asks Razorpay; the payment's status after. */
async function razorpayCallback(paymentId: string, said: RazorpayAnswer) {
  try {
    const result = await unwrap(
      api.POST('/api/v1/payments/{payment_id}/razorpay-callback', {
        params: { path: { payment_id: paymentId } },
        body: {
          razorpay_payment_id: said.razorpay_payment_id,
          razorpay_order_id: said.razorpay_order_id,
          razorpay_signature: said.razorpay_signature,
        },
      }),
    );
    return result.status;
  } catch (e) {
    // Razorpay's webhook got there first and settled the payment: read how it ended.
    if (e instanceof ApiError && e.code === 'payment_closed') return paymentStatus(paymentId);
    throw e;
  }
}

export const FLOWS: Record<Provider, ProviderFlow> = {
  sandbox: {
    asks: 'typed',
    async pay({ payment, method, choice }) {
      const body =
        method === 'card'
          ? { card_number: choice.card.replace(/\s+/g, '') }
          : { upi_vpa: choice.vpa.trim() };
      const result = await unwrap(
        api.POST('/api/v1/payments/{payment_id}/confirm', {
          params: { path: { payment_id: payment.id } },
          body,
        }),
      );
      return result.status === 'failed' ? declined() : PAID;
    },
  },
  stripe: {
    asks: 'card-element',
    async pay({ payment, card }) {
      if (!card) return unfinished('The card form is still loading; try again in a moment.');
      const checkout = await startCheckout(payment.id);
      if (!checkout.client_secret) throw new Error('Stripe gave no client secret');
      const { error } = await card.stripe.confirmCardPayment(checkout.client_secret, {
        payment_method: { card: card.card },
      });
      // A card typed wrong leaves the payment open; any other refusal (declined, 3-D Secure
      // failed) fails it, and Stripe tells our server so.
      if (error?.type === 'validation_error')
        return unfinished(error.message ?? 'Check the card details.');
      if (error) return declined(error.message ?? DECLINED_DETAIL);
      return unpaid(await heardByServer(payment.id)) ? declined() : PAID;
    },
  },
  razorpay: {
    asks: 'window',
    async pay({ payment, method, customer }) {
      const checkout = await startCheckout(payment.id);
      await loadScript(checkout.script_url);
      if (!window.Razorpay || !checkout.provider_order_id)
        throw new Error('Razorpay Checkout did not load');
      const Checkout = window.Razorpay;
      const orderId = checkout.provider_order_id;
      const said = await new Promise<RazorpayAnswer | { closed: string | null }>((resolve) => {
        let failure: string | null = null;
        const checkoutWindow = new Checkout({
          key: checkout.public_key,
          order_id: orderId,
          amount: checkout.amount,
          currency: checkout.currency,
          name: 'Kirana',
          description: 'Your order',
          // On the payment too, so a webhook names our payment.
          notes: { payment_id: payment.id },
          prefill: {
            method: method === 'upi' ? 'upi' : 'card',
            ...(customer?.phone ? { contact: customer.phone } : {}),
            ...(customer?.email ? { email: customer.email } : {}),
            ...(customer?.name ? { name: customer.name } : {}),
          },
          // One try per payment: a failed one fails our payment (Razorpay's webhook says so), and
          // the next try is a new payment, as with the other providers.
          retry: { enabled: false },
          handler: (answer) => resolve(answer),
          modal: { ondismiss: () => resolve({ closed: failure }) },
        });
        checkoutWindow.on('payment.failed', (r) => {
          failure = r.error?.description ?? DECLINED_DETAIL;
        });
        checkoutWindow.open();
      });
      if ('closed' in said)
        return said.closed
          ? declined(said.closed)
          : unfinished('The payment window was closed; nothing was charged. Pay when ready.');
      return unpaid(await razorpayCallback(payment.id, said)) ? declined() : PAID;
    },
  },
  cod: { asks: 'nothing', pay: async () => PAID },
};

/** Pays the pending payment by its provider's flow; a cash order has nothing to pay now. */
export async function pay(
  request: Omit<PayRequest, 'payment'> & { payment?: PayRequest['payment'] | null },
): Promise<Outcome> {
  const { payment } = request;
  if (!payment || request.method === 'cod') return PAID;
  const flow = FLOWS[payment.provider as Provider];
  if (!flow) throw new Error(`No browser flow for ${payment.provider}`);
  return flow.pay({ ...request, payment });
}
