/** The signed-in customer's cart: one cached query shared by every screen, and quantity changes. */
import { useCallback, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useAuth } from '../lib/auth';
import { getPlace } from '../lib/place';
import { setQueryData, useQuery } from '../lib/query';
import { navigate } from '../lib/router';
import type { Cart } from '../lib/types';
import { errorMessage } from '../lib/problem';
import { useToast } from '../ui';

export const CART_KEY = 'cart';

export function fetchCart(): Promise<Cart> {
  return unwrap(api.GET('/api/v1/cart'));
}

export async function setCartQuantity(
  productId: string,
  quantity: number,
  storeId: string,
): Promise<Cart> {
  const cart = await unwrap(
    api.PUT('/api/v1/cart/items/{product_id}', {
      params: { path: { product_id: productId } },
      body: { quantity, store_id: storeId },
    }),
  );
  setQueryData(CART_KEY, cart);
  return cart;
}

export function useCart() {
  const { user } = useAuth();
  const query = useQuery(user ? CART_KEY : null, fetchCart);
  const [busy, setBusy] = useState<string | null>(null);
  const toast = useToast();

  const quantityOf = useCallback(
    (productId: string) => query.data?.items.find((i) => i.product_id === productId)?.quantity ?? 0,
    [query.data],
  );

  const setQuantity = useCallback(
    async (productId: string, quantity: number) => {
      if (!user) {
        navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
        return;
      }
      const storeId = getPlace()?.store_id ?? query.data?.store_id;
      if (!storeId) {
        navigate('/location');
        return;
      }
      setBusy(productId);
      try {
        await setCartQuantity(productId, Math.max(0, quantity), storeId);
      } catch (e) {
        toast(errorMessage(e));
      } finally {
        setBusy(null);
      }
    },
    [user, query.data?.store_id, toast],
  );

  const count = query.data?.items.reduce((n, i) => n + i.quantity, 0) ?? 0;
  return { ...query, cart: query.data, count, busy, quantityOf, setQuantity };
}
