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

  it('lists a trip of several drops in the order to ride them', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    localStorage.setItem('kirana.rider.online', '1');
    const trip = [
      { ...TASK, trip_id: 't1', sequence: 1 },
      {
        ...TASK,
        delivery_id: 'd2',
        order_id: 'o2',
        order_number: 'KR-10',
        trip_id: 't1',
        sequence: 2,
      },
    ];
    fakeServer({
      'GET /api/v1/me': () => ({ body: { ...ME, roles: ['rider'], store_id: 's1' } }),
      'POST /api/v1/rider/location': () => ({ body: {} }),
      'GET /api/v1/rider/tasks': () => ({ body: { items: trip, next_cursor: null } }),
      'GET /api/v1/rider/cash': () => ({
        body: { cash_held: 0, currency: 'EUR', items: [], next_cursor: null },
      }),
    });
    renderApp(<RiderApp />, '/rider');
    const cards = await screen.findAllByRole('article');
    expect(cards.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Delivery for order KR-9',
      'Delivery for order KR-10',
    ]);
    expect(screen.getAllByTestId('drop-of-trip').map((b) => b.textContent)).toEqual([
      'Drop 1 of 2',
      'Drop 2 of 2',
    ]);
  });

  it('asks for the cash received on a cash order and sends it with the change', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    localStorage.setItem('kirana.rider.online', '1');
    let held = 0;
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: { ...ME, roles: ['rider'], store_id: 's1' } }),
      'POST /api/v1/rider/location': () => ({ body: {} }),
      'GET /api/v1/rider/tasks': () => ({
        body: {
          items: held
            ? []
            : [
                {
                  ...TASK,
                  status: 'picked_up',
                  payment_method: 'cod',
                  amount_to_collect: 24_950,
                },
              ],
          next_cursor: null,
        },
      }),
      'GET /api/v1/rider/cash': () => ({
        body: { cash_held: held, currency: 'INR', items: [], next_cursor: null },
      }),
      'POST /api/v1/rider/deliveries/{id}/delivered': () => {
        held = 24_950;
        return {
          body: { id: 'd1', order_id: 'o1', rider_id: 'r1', rider_name: 'R', status: 'delivered' },
        };
      },
    });
    vi.stubGlobal(
      'navigator',
      Object.assign(Object.create(navigator), {
        geolocation: { watchPosition: vi.fn(() => 1), clearWatch: vi.fn() },
      }),
    );
    renderApp(<RiderApp />, '/rider');
    await userEvent.type(await screen.findByLabelText("Customer's delivery code"), '4321');
    const received = screen.getByLabelText('Cash received');
    expect(received).toHaveValue('249.50');
    expect(screen.getByTestId('change-due')).toHaveTextContent('Exact amount');
    await userEvent.clear(received);
    await userEvent.type(received, '200');
    expect(screen.getByRole('button', { name: 'Complete delivery' })).toBeDisabled();
    await userEvent.clear(received);
    await userEvent.type(received, '500');
    expect(screen.getByTestId('change-due')).toHaveTextContent('250.50');
    await userEvent.click(screen.getByRole('button', { name: 'Complete delivery' }));
    await waitFor(() => expect(screen.getByTestId('cash-held')).toHaveTextContent('249.5'));
    const delivered = calls.filter((c) => c.path === '/api/v1/rider/deliveries/d1/delivered');
    expect(delivered.map((c) => c.body)).toEqual([
      { otp: '4321', cash: { tendered: 50_000, change: 25_050 } },
    ]);
  });

  it('going offline mid-trip keeps the trip and ends the shift with its last drop', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    localStorage.setItem('kirana.rider.online', '1');
    let status = 'picked_up';
    const { calls } = fakeServer({
      'GET /api/v1/me': () => ({ body: { ...ME, roles: ['rider'], store_id: 's1' } }),
      'POST /api/v1/rider/shift': () => ({ body: { is_online: true, off_after_trip: true } }),
      'POST /api/v1/rider/location': () => ({ body: {} }),
      'GET /api/v1/rider/tasks': () => ({
        body: { items: status === 'delivered' ? [] : [{ ...TASK, status }], next_cursor: null },
      }),
      'GET /api/v1/rider/cash': () => ({
        body: { cash_held: 0, currency: 'INR', items: [], next_cursor: null },
      }),
      'POST /api/v1/rider/deliveries/{id}/delivered': () => {
        status = 'delivered';
        return { body: { id: 'd1', order_id: 'o1', rider_id: 'r1', rider_name: 'R', status } };
      },
    });
    vi.stubGlobal(
      'navigator',
      Object.assign(Object.create(navigator), {
        geolocation: { watchPosition: vi.fn(() => 1), clearWatch: vi.fn() },
      }),
    );
    renderApp(<RiderApp />, '/rider');
    const code = await screen.findByLabelText("Customer's delivery code");
    await userEvent.click(screen.getByRole('switch', { name: 'Online for deliveries' }));
    expect(await screen.findByText(/Going offline after this trip/)).toBeInTheDocument();
    expect(calls.find((c) => c.path === '/api/v1/rider/shift')!.body).toEqual({ online: false });
    expect(screen.getByText('You are online')).toBeInTheDocument();
    expect(screen.getByRole('switch', { name: 'Online for deliveries' })).not.toBeChecked();
    await userEvent.type(code, '4321');
    await userEvent.click(screen.getByRole('button', { name: 'Complete delivery' }));
    expect(await screen.findByText('You are offline')).toBeInTheDocument();
    expect(localStorage.getItem('kirana.rider.online')).toBe('0');
  });
});
