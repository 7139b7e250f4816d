import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { ADDRESSES, atStore, CART, ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { LoginPage, RegisterPage } from './AuthPages';
import { CartPage, feeHelp } from './CartPage';
import { CheckoutPage } from './CheckoutPage';
import { ProductCard } from './ProductCard';
import { Timeline } from './OrderPage';
import { LocationPage } from './LocationPage';

afterEach(() => vi.unstubAllGlobals());

const signIn = () => setTokens({ access_token: 'A', refresh_token: 'R' });
const place = atStore;

describe('login', () => {
  it('shows the problem detail when the password is wrong', async () => {
    fakeServer({
      'POST /api/v1/auth/login': () => ({
        status: 401,
        body: {
          title: 'Unauthorized',
          status: 401,
          detail: 'Wrong phone or password',
          code: 'invalid_credentials',
        },
      }),
    });
    renderApp(<LoginPage />, '/login');
    await userEvent.type(screen.getByLabelText('Phone number'), '+358401234567');
    await userEvent.type(screen.getByLabelText('Password'), 'nope-nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong phone or password');
  });

  it('signs in, keeps the tokens and routes staff to their screen', async () => {
    fakeServer({
      'POST /api/v1/auth/login': () => ({
        body: { access_token: 'A', refresh_token: 'R', token_type: 'bearer', expires_in: 900 },
      }),
      'GET /api/v1/me': () => ({ body: { ...ME, roles: ['store_staff'], store_id: 's1' } }),
    });
    renderApp(<LoginPage />, '/login');
    await userEvent.type(screen.getByLabelText('Phone number'), '+358401234567');
    await userEvent.type(screen.getByLabelText('Password'), 'password1');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(location.pathname).toBe('/store'));
    expect(JSON.parse(localStorage.getItem('kirana.tokens')!)).toEqual({
      access_token: 'A',
      refresh_token: 'R',
    });
  });
});

describe('product card', () => {
  const product = {
    id: 'p1',
    name: 'Amul Milk',
    brand: 'Amul',
    unit: '500 ml',
    image_url: null,
    category_id: 'c1',
    currency: 'INR',
    price: 2700,
    mrp: 3000,
    in_stock: true,
    max_quantity: 3,
  };
  it('adds, then steps up to the per-order maximum', async () => {
    const onChange = vi.fn();
    const { rerender } = renderApp(
      <ProductCard product={product} quantity={0} onChange={onChange} />,
    );
    expect(screen.getByText('10% OFF')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Add Amul Milk to cart' }));
    expect(onChange).toHaveBeenCalledWith(1);
    rerender(<ProductCard product={product} quantity={3} onChange={onChange} />);
    expect(screen.getByRole('button', { name: 'Add one more Amul Milk' })).toBeDisabled();
  });
  it('says sold out', () => {
    renderApp(
      <ProductCard
        product={{ ...product, in_stock: false }}
        quantity={0}
        onChange={() => undefined}
      />,
    );
    expect(screen.getByRole('button', { name: 'Sold out' })).toBeDisabled();
  });
});

describe('cart', () => {
  it('explains every fee and shows coupon errors from the API', async () => {
    signIn();
    place();
    fakeServer({
      'GET /api/v1/me': () => ({ body: ME }),
      'GET /api/v1/cart': () => ({ body: CART }),
      'POST /api/v1/cart/coupon': () => ({
        status: 422,
        body: {
          title: 'Invalid coupon',
          status: 422,
          detail: 'Coupon FOO has expired',
          code: 'coupon_expired',
        },
      }),
    });
    renderApp(<CartPage />, '/cart');
    const details = await screen.findByLabelText('Bill breakdown');
    expect(within(details).getByText('Delivery fee')).toBeInTheDocument();
    expect(within(details).getByText('FREE')).toBeInTheDocument();
    expect(within(details).getByText(feeHelp('small_cart_fee'))).toBeInTheDocument();
    expect(within(details).getByText('€100')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Coupon code'), 'foo');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Coupon FOO has expired');
  });

  it('changes a quantity through PUT /cart/items with the store id', async () => {
    signIn();
    place();
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: ME }),
      'GET /api/v1/cart': () => ({ body: CART }),
      'PUT /api/v1/cart/items/{id}': (req) => ({
        body: {
          ...CART,
          items: [{ ...CART.items[0], quantity: (req.body as { quantity: number }).quantity }],
        },
      }),
    });
    renderApp(<CartPage />, '/cart');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add one more Amul Milk 500 ml' }),
    );
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.path).toBe('/api/v1/cart/items/p1');
    expect(put.body).toEqual({ quantity: 3, store_id: 's1' });
  });

  it('shows an empty state', async () => {
    signIn();
    fakeServer({
      'GET /api/v1/me': () => ({ body: ME }),
      'GET /api/v1/cart': () => ({ body: { ...CART, items: [], subtotal: 0, total: 0, fees: [] } }),
    });
    renderApp(<CartPage />, '/cart');
    expect(await screen.findByText('Your cart is empty')).toBeInTheDocument();
  });
});

/** A placed, unpaid card order with payment ``id``. */
function unpaid(id: string) {
  return {
    id: 'o1',
    number: 'K-1',
    status: 'pending_payment',
    total: 10000,
    currency: 'INR',
    eta_minutes: 12,
    delivery_otp: null,
    payment: { id, status: 'pending', provider: 'sandbox' },
  };
}

describe('checkout', () => {
  it('places the order with an Idempotency-Key, confirms the card payment and opens the order', async () => {
    signIn();
    place();
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: ME }),
      'GET /api/v1/cart': () => ({ body: CART }),
      'GET /api/v1/me/addresses': () => ({ body: ADDRESSES }),
      'POST /api/v1/orders': () => ({
        status: 201,
        body: {
          id: 'o1',
          number: 'K-1001',
          status: 'pending_payment',
          total: 12000,
          currency: 'INR',
          eta_minutes: 12,
          delivery_otp: '4321',
          payment: { id: 'pay1', status: 'pending', provider: 'sandbox' },
        },
      }),
      'POST /api/v1/payments/{id}/confirm': () => ({ body: { id: 'pay1', status: 'succeeded' } }),
    });
    renderApp(<CheckoutPage />, '/checkout');
    await userEvent.click(await screen.findByRole('button', { name: '€20' }));
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await waitFor(() => expect(location.pathname).toBe('/orders/o1'));
    const order = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/orders')!;
    expect(order.headers.get('Idempotency-Key')).toMatch(/.{8,}/);
    expect(order.body).toMatchObject({ address_id: 'a1', payment_method: 'card', tip: 2000 });
    const confirm = calls.find((c) => c.path === '/api/v1/payments/pay1/confirm')!;
    expect(confirm.body).toEqual({ card_number: '4242424242424242' });
  });

  it('keeps the order and lets the customer pay again with another card after a decline', async () => {
    signIn();
    place();
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: ME }),
      'GET /api/v1/cart': () => ({ body: CART }),
      'GET /api/v1/me/addresses': () => ({ body: ADDRESSES }),
      'POST /api/v1/orders': () => ({
        status: 201,
        body: unpaid('pay1'),
      }),
      'POST /api/v1/orders/{id}/payments': () => ({
        status: 201,
        body: unpaid('pay2'),
      }),
      // The declined payment stays declined; only the new one can succeed.
      'POST /api/v1/payments/{id}/confirm': (rec) => ({
        body: { id: 'x', status: rec.path.includes('pay2') ? 'succeeded' : 'failed' },
      }),
    });
    renderApp(<CheckoutPage />, '/checkout');
    await userEvent.click(await screen.findByRole('button', { name: /^Pay/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent('declined');
    expect(screen.getByRole('radio', { name: 'UPI' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Cancel order and return to cart' })).toBeVisible();
    const cardField = screen.getByLabelText('Card number');
    await userEvent.clear(cardField);
    await userEvent.type(cardField, '5555555555554444');
    await userEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    await waitFor(() => expect(location.pathname).toBe('/orders/o1'));
    expect(calls.filter((c) => c.path === '/api/v1/orders' && c.method === 'POST')).toHaveLength(1);
    const again = calls.filter((c) => c.path === '/api/v1/orders/o1/payments');
    expect(again.map((c) => c.body)).toEqual([{ payment_method: 'card' }]);
    expect(again[0]!.headers.get('Idempotency-Key')).toBeTruthy();
    const confirms = calls.filter((c) => c.path.endsWith('/confirm'));
    expect(confirms.map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/payments/pay1/confirm', { card_number: '4242424242424242' }],
      ['/api/v1/payments/pay2/confirm', { card_number: '5555555555554444' }],
    ]);
  });
});

describe('order timeline', () => {
  it('marks done, current and upcoming steps', () => {
    renderApp(
      <Timeline
        status="picking"
        timeline={[
          { status: 'confirmed', at: '2026-01-01T10:00:00Z' },
          { status: 'picking', at: '2026-01-01T10:02:00Z' },
        ]}
      />,
    );
    const steps = screen.getAllByRole('listitem');
    expect(steps.map((s) => s.getAttribute('data-state'))).toEqual([
      'done',
      'current',
      'todo',
      'todo',
      'todo',
    ]);
    expect(screen.getByText('Being packed').closest('li')).toHaveAttribute('aria-current', 'step');
  });
});

describe('location', () => {
  it('says clearly when a spot is not served', async () => {
    fakeServer({
      'GET /api/v1/stores': () => ({ body: { items: [], next_cursor: null } }),
      'GET /api/v1/serviceability': () => ({
        body: { serviceable: false, store: null, eta_minutes: null },
      }),
    });
    const getCurrentPosition = vi.fn((ok: PositionCallback) =>
      ok({ coords: { latitude: 60.3, longitude: 25.1 } } as GeolocationPosition),
    );
    vi.stubGlobal(
      'navigator',
      Object.assign(Object.create(navigator), { geolocation: { getCurrentPosition } }),
    );
    renderApp(<LocationPage />, '/location');
    await userEvent.click(screen.getByRole('button', { name: /current location/ }));
    expect(await screen.findByText('Not served here yet.')).toBeInTheDocument();
  });
});

describe('registration', () => {
  it('puts each field error from the API under its input', async () => {
    fakeServer({
      'POST /api/v1/auth/register': () => ({
        status: 422,
        body: {
          title: 'Invalid input',
          status: 422,
          detail: 'Some fields are invalid',
          code: 'validation_error',
          errors: [
            { field: 'body.phone', message: 'Use the international format, e.g. +358401234567' },
          ],
        },
      }),
    });
    renderApp(<RegisterPage />, '/register');
    await userEvent.type(screen.getByLabelText('Full name'), 'Asha');
    await userEvent.type(screen.getByLabelText('Phone number'), '0401234567');
    await userEvent.type(screen.getByLabelText('Password'), 'longenough');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    const phone = await screen.findByLabelText('Phone number');
    await waitFor(() => expect(phone).toHaveAttribute('aria-invalid', 'true'));
    expect(phone).toHaveAccessibleDescription('Use the international format, e.g. +358401234567');
    expect(screen.getByRole('alert')).toHaveTextContent('Some fields are invalid');
  });
});
