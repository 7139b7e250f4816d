import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { AuthProvider } from '../lib/auth';
import { setPlace } from '../lib/place';
import { clearQueries } from '../lib/query';
import { ToastProvider } from '../ui';

export function renderApp(ui: ReactElement, path = '/') {
  clearQueries();
  history.replaceState(null, '', path);
  return render(
    <AuthProvider>
      <ToastProvider>{ui}</ToastProvider>
    </AuthProvider>,
  );
}

export const ME = {
  id: 'u1',
  phone: '+358401234567',
  name: 'Asha',
  email: null,
  roles: ['customer'],
  store_id: null,
};

export const CART = {
  store_id: 's1',
  items: [
    { product_id: 'p1', name: 'Amul Milk 500 ml', quantity: 2, unit_price: 3000, line_total: 6000 },
  ],
  subtotal: 6000,
  fees: [
    { code: 'delivery_fee', label: 'Delivery fee', amount: 2500 },
    { code: 'small_cart_fee', label: 'Small cart fee', amount: 1500 },
    { code: 'handling_fee', label: 'Handling', amount: 0 },
  ],
  discount: 0,
  total: 10000,
  currency: 'EUR',
};

/** The customer delivers to their Home address, served by store s1 (Kamppi). */
export const atStore = () =>
  setPlace({
    lat: 60.17,
    lng: 24.94,
    label: 'Home',
    address_id: 'a1',
    store_id: 's1',
    store_name: 'Kamppi',
    eta_minutes: 12,
  });

/** That Home address, as GET /api/v1/me/addresses lists it. */
export const ADDRESSES = {
  items: [
    {
      id: 'a1',
      label: 'Home',
      line1: 'Mannerheimintie 1',
      city: 'Helsinki',
      pincode: '00100',
      lat: 60.17,
      lng: 24.94,
      instructions: null,
    },
  ],
  next_cursor: null,
};
