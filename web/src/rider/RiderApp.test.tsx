import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import RiderApp from './RiderApp';

vi.mock('../map/Map', () => ({ Map: () => null }));
afterEach(() => vi.unstubAllGlobals());

const TASK = {
  delivery_id: 'd1',
  order_id: 'o1',
  order_number: 'KR-9',
  status: 'assigned',
  items_count: 3,
  amount_to_collect: 0,
  currency: 'INR',
  customer_name: 'Aino',
  customer_phone: '+358401',
  payment_method: 'card',
  locked: false,
  store: { id: 's1', name: 'Kamppi Dark Store', lat: 60.169, lng: 24.932 },
  drop: { line1: 'Fredrikinkatu 25', city: 'Helsinki', pincode: '00120', lat: 60.163, lng: 24.938 },
};

describe('rider app', () => {
  it(
    'goes online, picks up and completes with the OTP; a wrong code shows the problem',
    { timeout: 20000 },
    async () => {
      setTokens({ access_token: 'A', refresh_token: 'R' });
      let status = 'assigned';
      let otpTries = 0;
      const { calls } = fakeServer({
        'GET /api/v1/me': () => ({ body: { ...ME, roles: ['rider'], store_id: 's1' } }),
        'POST /api/v1/rider/shift': () => ({ body: {} }),
        'POST /api/v1/rider/location': () => ({ body: {} }),
        'GET /api/v1/rider/tasks': () => ({
          body: { items: status === 'delivered' ? [] : [{ ...TASK, status }], next_cursor: null },
        }),
        'POST /api/v1/rider/deliveries/{id}/picked-up': () => {
          status = 'picked_up';
          return { body: { id: 'd1', order_id: 'o1', rider_id: 'r1', rider_name: 'R', status } };
        },
        'POST /api/v1/rider/deliveries/{id}/delivered': () => {
          if (otpTries++ === 0)
            return {
              status: 422,
              body: {
                title: 'Wrong code',
                status: 422,
                detail: 'That code is not right. 4 tries left.',
                code: 'otp_mismatch',
              },
            };
          status = 'delivered';
          return { body: { id: 'd1', order_id: 'o1', rider_id: 'r1', rider_name: 'R', status } };
        },
      });
      const watchPosition = vi.fn((ok: PositionCallback) => {
        ok({ coords: { latitude: 60.17, longitude: 24.94 } } as GeolocationPosition);
        return 1;
      });
      vi.stubGlobal(
        'navigator',
        Object.assign(Object.create(navigator), {
          geolocation: { watchPosition, clearWatch: vi.fn() },
        }),
      );
      renderApp(<RiderApp />, '/rider');
      await userEvent.click(screen.getByRole('switch', { name: 'Online for deliveries' }));
      expect(await screen.findByText('You are online')).toBeInTheDocument();
      await waitFor(() =>
        expect(calls.some((c) => c.path === '/api/v1/rider/location')).toBe(true),
      );
      expect(calls.find((c) => c.path === '/api/v1/rider/shift')!.body).toEqual({ online: true });
      await userEvent.click(await screen.findByRole('button', { name: 'Picked up' }));
      const code = await screen.findByLabelText("Customer's delivery code");
      await userEvent.type(code, '1111');
      await userEvent.click(screen.getByRole('button', { name: 'Complete delivery' }));
      expect(await screen.findByRole('alert')).toHaveTextContent('4 tries left');
      await userEvent.clear(code);
      await userEvent.type(code, '4321');
      await userEvent.click(screen.getByRole('button', { name: 'Complete delivery' }));
      expect(await screen.findByText('Waiting for the next order')).toBeInTheDocument();
      const delivered = calls.filter((c) => c.path === '/api/v1/rider/deliveries/d1/delivered');
      expect(delivered.map((c) => c.body)).toEqual([{ otp: '1111' }, { otp: '4321' }]);
    },
  );
});
