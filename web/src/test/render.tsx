import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { AuthProvider } from '../lib/auth';
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
