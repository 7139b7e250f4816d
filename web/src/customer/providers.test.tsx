/** The checkout runs the flow of the provider GET /api/v1/config names: the sandbox's typed
 * test card with no keys, Stripe's card Element and confirmCardPayment, Razorpay's Checkout and
 * our callback. The providers' scripts are fakes installed when the page adds their tag. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import type { ReactElement } from 'react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { ADDRESSES, atStore, CART, ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import type { Order } from '../lib/types';
import { CheckoutPage } from './CheckoutPage';
import { PayNow } from './PayNow';
import type { RazorpayOptions, StripeCardElement, StripeJs } from './providers';

afterEach(() => {
  vi.unstubAllGlobals();
  delete window.Stripe;
  delete window.Razorpay;
  document.head.querySelectorAll('script').forEach((s) => s.remove());
});

// Each test its own script URL and key: the page loads a script and makes a Stripe.js
// instance once per URL and key, as in a browser.
let n = 0;
function names() {
  n += 1;
  return {
    stripeUrl: `http://127.0.0.1:4101/v3/?t=${n}`,
    razorpayUrl: `http://127.0.0.1:4102/v1/checkout.js?t=${n}`,
    pk: `pk_test_${n}abcdefghijklmnop`,
    keyId: `rzp_test_${n}abcdefgh`,
  };
}

function config(card: object, upi: object | null) {
  return {
    tile_url: null,
    currency: 'EUR',
    locale: 'en-FI',
    phone_region: 'FI',
    phone_example: '+358412345678',
    time_zone: 'Europe/Helsinki',
    payments: { card, upi, cod: { provider: 'cod', test_mode: true } },
  };
}

function placed(paymentId: string, provider: string) {
  return {
    id: 'o1',
    number: 'K-1001',
    status: 'pending_payment',
    total: 12000,
    currency: 'EUR',
    eta_minutes: 12,
    delivery_otp: null,
    payment: { id: paymentId, status: 'pending', provider },
  };
}

/** The fake server with `routes`, and `ui` (the checkout) rendered for a signed-in customer. */
function start(routes: Parameters<typeof fakeServer>[0], ui: ReactElement = <CheckoutPage />) {
  setTokens({ access_token: 'A', refresh_token: 'R' });
  atStore();
  const server = fakeServer({
    'GET /api/v1/me': () => ({ body: ME }),
    'GET /api/v1/cart': () => ({ body: CART }),
    'GET /api/v1/me/addresses': () => ({ body: ADDRESSES }),
    ...routes,
  });
  renderApp(ui, '/checkout');
  return server;
}

/** Waits for the page to add the script tag for `src`, installs the fake, says it loaded. */
async function loadScript(src: string, install: () => void) {
  const tag = await waitFor(() => {
    const found = [...document.head.querySelectorAll('script')].find((s) => s.src === src);
    expect(found).toBeDefined();
    return found!;
  });
  install();
  tag.dispatchEvent(new Event('load'));
}

/** A fake Stripe.js: records the key, the Element and the confirmCardPayment calls. */
function fakeStripe(answer: () => Awaited<ReturnType<StripeJs['confirmCardPayment']>>) {
  const seen = {
    keys: [] as string[],
    mountedIn: [] as HTMLElement[],
    confirms: [] as Array<[string, unknown]>,
    element: null as StripeCardElement | null,
  };
  window.Stripe = (key: string) => {
    seen.keys.push(key);
    return {
      elements: () => ({
        create: () => {
          const element: StripeCardElement = {
            mount: (target) => {
              seen.mountedIn.push(target);
              target.innerHTML = '<input aria-label="Fake Stripe card">';
            },
            update: () => undefined,
            destroy: () => undefined,
          };
          seen.element = element;
          return element;
        },
      }),
      confirmCardPayment: async (secret, data) => {
        seen.confirms.push([secret, data]);
        return answer();
      },
    };
  };
  return seen;
}

describe('checkout with Stripe for cards', () => {
  it('mounts the card Element from the configured Stripe.js and confirms with the client secret', async () => {
    const { stripeUrl, pk } = names();
    const { calls } = start({
      'GET /api/v1/config': () => ({
        body: config(
          { provider: 'stripe', public_key: pk, script_url: stripeUrl, test_mode: true },
          null,
        ),
      }),
      'POST /api/v1/orders': () => ({ status: 201, body: placed('pay1', 'stripe') }),
      'POST /api/v1/payments/{id}/checkout': () => ({
        body: {
          payment_id: 'pay1',
          provider: 'stripe',
          public_key: pk,
          script_url: stripeUrl,
          amount: 12000,
          currency: 'EUR',
          client_secret: 'pi_123_secret_456',
        },
      }),
      'GET /api/v1/payments/{id}': () => ({
        body: {
          id: 'pay1',
          status: 'succeeded',
          provider: 'stripe',
          amount: 12000,
          currency: 'EUR',
          order_id: 'o1',
          method: 'card',
        },
      }),
    });
    let stripe!: ReturnType<typeof fakeStripe>;
    await loadScript(stripeUrl, () => {
      stripe = fakeStripe(() => ({ paymentIntent: { id: 'pi_123', status: 'succeeded' } }));
    });
    await screen.findByLabelText('Fake Stripe card');
    expect(stripe.keys).toEqual([pk]);
    expect(stripe.mountedIn[0]).toBe(screen.getByTestId('stripe-card'));
    expect(screen.getByText(/Stripe test mode/)).toBeVisible();
    // Stripe takes cards only, and Razorpay is not set up: UPI is not offered.
    expect(screen.queryByRole('radio', { name: 'UPI' })).toBeNull();
    expect(screen.queryByLabelText('Card number')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await waitFor(() => expect(location.pathname).toBe('/orders/o1'));
    expect(stripe.confirms).toEqual([
      ['pi_123_secret_456', { payment_method: { card: stripe.element } }],
    ]);
    const paths = calls.filter((c) => c.method === 'POST').map((c) => c.path);
    expect(paths).toEqual(['/api/v1/orders', '/api/v1/payments/pay1/checkout']);
  });

  it('keeps the order after a declined card, says why, and pays again with a new payment', async () => {
    const { stripeUrl, pk } = names();
    const secrets: Record<string, string> = { pay1: 'pi_1_secret_a', pay2: 'pi_2_secret_b' };
    const { calls } = start({
      'GET /api/v1/config': () => ({
        body: config(
          { provider: 'stripe', public_key: pk, script_url: stripeUrl, test_mode: false },
          null,
        ),
      }),
      'POST /api/v1/orders': () => ({ status: 201, body: placed('pay1', 'stripe') }),
      'POST /api/v1/orders/{id}/payments': () => ({ status: 201, body: placed('pay2', 'stripe') }),
      'POST /api/v1/payments/{id}/checkout': (req) => {
        const id = req.path.split('/')[4]!;
        return {
          body: {
            payment_id: id,
            provider: 'stripe',
            public_key: pk,
            script_url: stripeUrl,
            amount: 12000,
            currency: 'EUR',
            client_secret: secrets[id],
          },
        };
      },
      'GET /api/v1/payments/{id}': () => ({
        body: {
          id: 'pay2',
          status: 'succeeded',
          provider: 'stripe',
          amount: 12000,
          currency: 'EUR',
          order_id: 'o1',
          method: 'card',
        },
      }),
    });
    let tries = 0;
    let stripe!: ReturnType<typeof fakeStripe>;
    await loadScript(stripeUrl, () => {
      stripe = fakeStripe(() =>
        ++tries === 1
          ? {
              error: {
                type: 'card_error',
                code: 'card_declined',
                message: 'Your card was declined.',
              },
            }
          : { paymentIntent: { id: 'pi_2', status: 'succeeded' } },
      );
    });
    await screen.findByLabelText('Fake Stripe card');
    expect(screen.queryByText(/test mode/)).toBeNull(); // live keys
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Your card was declined.');
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await waitFor(() => expect(location.pathname).toBe('/orders/o1'));
    expect(stripe.confirms.map(([secret]) => secret)).toEqual(['pi_1_secret_a', 'pi_2_secret_b']);
    const again = calls.filter((c) => c.path === '/api/v1/orders/o1/payments');
    expect(again.map((c) => c.body)).toEqual([{ payment_method: 'card' }]);
    expect(calls.some((c) => c.path.endsWith('/confirm'))).toBe(false);
  });
});

describe('checkout with Razorpay', () => {
  /** A fake Checkout: records its options, then pays (handler) or is closed (ondismiss). */
  function fakeRazorpay(act: (options: RazorpayOptions, failed: (d: string) => void) => void) {
    const opened: RazorpayOptions[] = [];
    window.Razorpay = class {
      private failed: Array<(r: { error?: { description?: string } }) => void> = [];
      constructor(private options: RazorpayOptions) {}
      on(_event: 'payment.failed', listener: (r: { error?: { description?: string } }) => void) {
        this.failed.push(listener);
      }
      open() {
        opened.push(this.options);
        act(this.options, (description) =>
          this.failed.forEach((f) => f({ error: { description } })),
        );
      }
    };
    return opened;
  }

  /** Checkout's handler, called as when the customer has paid. */
  const paysWith = (signature: string) => (options: RazorpayOptions) =>
    options.handler({
      razorpay_payment_id: 'pay_Xyz789',
      razorpay_order_id: options.order_id,
      razorpay_signature: signature,
    });

  /** The checkout with Razorpay for cards and UPI; each payment's Razorpay order is order_<id>. */
  function startRazorpay(
    testMode: boolean,
    routes: Parameters<typeof fakeServer>[0] = {},
    ui?: ReactElement,
  ) {
    const { razorpayUrl, keyId } = names();
    const setup = {
      provider: 'razorpay',
      public_key: keyId,
      script_url: razorpayUrl,
      test_mode: testMode,
    };
    const server = start(
      {
        'GET /api/v1/config': () => ({ body: config(setup, setup) }),
        'POST /api/v1/orders': () => ({ status: 201, body: placed('pay1', 'razorpay') }),
        'POST /api/v1/orders/{id}/payments': () => ({
          status: 201,
          body: placed('pay2', 'razorpay'),
        }),
        'POST /api/v1/payments/{id}/checkout': (req) => {
          const id = req.path.split('/')[4]!;
          return {
            body: {
              payment_id: id,
              provider: 'razorpay',
              public_key: keyId,
              script_url: razorpayUrl,
              amount: 12000,
              currency: 'EUR',
              provider_order_id: `order_${id}`,
            },
          };
        },
        ...routes,
      },
      ui,
    );
    return { ...server, razorpayUrl, keyId };
  }

  const succeeded = {
    id: 'pay1',
    status: 'succeeded',
    provider: 'razorpay',
    amount: 12000,
    currency: 'EUR',
    order_id: 'o1',
    method: 'upi',
  };

  it('opens Checkout on the order our server made and posts its signed answer to our callback', async () => {
    const { calls, razorpayUrl, keyId } = startRazorpay(true, {
      'POST /api/v1/payments/{id}/razorpay-callback': () => ({ body: succeeded }),
    });
    await userEvent.click(await screen.findByRole('radio', { name: 'UPI' }));
    expect(screen.getByTestId('provider-window-note')).toHaveTextContent('success@razorpay');
    expect(screen.queryByLabelText('UPI ID')).toBeNull();
    // Nothing of Razorpay's is loaded until the customer pays.
    expect(document.head.querySelector('script')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    let opened!: RazorpayOptions[];
    await loadScript(razorpayUrl, () => {
      opened = fakeRazorpay(paysWith('a'.repeat(64)));
    });
    await waitFor(() => expect(location.pathname).toBe('/orders/o1'));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      key: keyId,
      order_id: 'order_pay1',
      amount: 12000,
      currency: 'EUR',
      notes: { payment_id: 'pay1' },
      prefill: { method: 'upi', contact: ME.phone, name: ME.name },
      retry: { enabled: false },
    });
    const callback = calls.find((c) => c.path === '/api/v1/payments/pay1/razorpay-callback')!;
    expect(callback.body).toEqual({
      razorpay_payment_id: 'pay_Xyz789',
      razorpay_order_id: 'order_pay1',
      razorpay_signature: 'a'.repeat(64),
    });
    expect(calls.find((c) => c.path === '/api/v1/orders')!.body).toMatchObject({
      payment_method: 'upi',
    });
  });

  it("goes by the payment when Razorpay's webhook settled it before the callback", async () => {
    const { calls, razorpayUrl } = startRazorpay(true, {
      'POST /api/v1/payments/{id}/razorpay-callback': () => ({
        status: 409,
        body: {
          title: 'Conflict',
          status: 409,
          detail: 'This payment is succeeded',
          code: 'payment_closed',
        },
      }),
      'GET /api/v1/payments/{id}': () => ({ body: succeeded }),
    });
    await screen.findByTestId('provider-window-note');
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await loadScript(razorpayUrl, () => fakeRazorpay(paysWith('b'.repeat(64))));
    await waitFor(() => expect(location.pathname).toBe('/orders/o1'));
    expect(calls.filter((c) => c.path === '/api/v1/payments/pay1').map((c) => c.method)).toEqual([
      'GET',
    ]);
  });

  it("Pay now on an unpaid order's page runs the same flow for the new payment", async () => {
    const unpaidOrder = {
      ...placed('pay1', 'razorpay'),
      pay_by: new Date(Date.now() + 10 * 60_000).toISOString(),
    } as unknown as Order;
    const settled = vi.fn();
    const { calls, razorpayUrl } = startRazorpay(
      true,
      {
        'POST /api/v1/payments/{id}/razorpay-callback': () => ({
          body: { ...succeeded, id: 'pay2' },
        }),
      },
      <PayNow order={unpaidOrder} onChange={() => undefined} onSettled={settled} />,
    );
    await userEvent.click(await screen.findByRole('radio', { name: 'UPI' }));
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await loadScript(razorpayUrl, () => fakeRazorpay(paysWith('c'.repeat(64))));
    await waitFor(() => expect(settled).toHaveBeenCalled());
    expect(calls.find((c) => c.path === '/api/v1/orders/o1/payments')!.body).toEqual({
      payment_method: 'upi',
    });
    expect(calls.find((c) => c.path.endsWith('/razorpay-callback'))!.path).toBe(
      '/api/v1/payments/pay2/razorpay-callback',
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a closed window leaves the same payment to pay; a failed one makes the next try a new payment', async () => {
    const { calls, razorpayUrl } = startRazorpay(false);
    await screen.findByTestId('provider-window-note');
    expect(screen.getByTestId('provider-window-note')).not.toHaveTextContent('Test mode');
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    let step = 0;
    let opened!: RazorpayOptions[];
    await loadScript(razorpayUrl, () => {
      opened = fakeRazorpay((options, failed) => {
        step += 1;
        if (step === 2) failed('Payment processing failed because of incorrect OTP');
        options.modal.ondismiss();
      });
    });
    expect(await screen.findByRole('alert')).toHaveTextContent('nothing was charged');
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('incorrect OTP'));
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await waitFor(() => expect(opened).toHaveLength(3));
    expect(opened.map((o) => [o.order_id, o.prefill.method])).toEqual([
      ['order_pay1', 'card'],
      ['order_pay1', 'card'],
      ['order_pay2', 'card'],
    ]);
    expect(calls.filter((c) => c.path === '/api/v1/orders/o1/payments')).toHaveLength(1);
    expect(calls.some((c) => c.path.endsWith('/razorpay-callback'))).toBe(false);
    // The script is added once, however often Checkout opens.
    expect(document.head.querySelectorAll('script')).toHaveLength(1);
  });
});

describe('checkout with no keys', () => {
  it('uses the sandbox and loads no provider script', async () => {
    const { calls } = start({
      'GET /api/v1/config': () => ({
        body: config(
          { provider: 'sandbox', test_mode: true },
          { provider: 'sandbox', test_mode: true },
        ),
      }),
      'POST /api/v1/orders': () => ({ status: 201, body: placed('pay1', 'sandbox') }),
      'POST /api/v1/payments/{id}/confirm': () => ({ body: { id: 'pay1', status: 'succeeded' } }),
    });
    await screen.findByLabelText('Card number');
    expect(screen.getByRole('radio', { name: 'UPI' })).toBeVisible();
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await waitFor(() => expect(location.pathname).toBe('/orders/o1'));
    expect(calls.find((c) => c.path === '/api/v1/payments/pay1/confirm')!.body).toEqual({
      card_number: '4242424242424242',
    });
    expect(calls.some((c) => c.path.endsWith('/checkout'))).toBe(false);
    expect(document.head.querySelector('script')).toBeNull();
  });
});
