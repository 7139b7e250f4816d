import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import { fakeServer } from '../test/http';
import { ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import RiderApp from './RiderApp';
import { formatDistance } from './RouteGuide';

vi.mock('../map/Map', () => ({
  Map: ({ route }: { route?: unknown[] }) => <div data-testid="map">{route?.length ?? 0}</div>,
}));
afterEach(() => vi.unstubAllGlobals());

const TASK = {
  delivery_id: 'd1',
  order_id: 'o1',
  order_number: 'KR-9',
  status: 'assigned',
  items_count: 3,
  amount_to_collect: 0,
  currency: 'EUR',
  customer_name: 'Aino',
  customer_phone: '+358401',
  payment_method: 'card',
  locked: false,
  store: { id: 's1', name: 'Kamppi Dark Store', lat: 60.169, lng: 24.9377 },
  drop: { line1: 'Annankatu 18', city: 'Helsinki', pincode: '00120', lat: 60.1658, lng: 24.9382 },
};

const step = (instruction: string, distance_m: number, maneuver = 'turn') => ({
  maneuver,
  modifier: null,
  street: null,
  instruction,
  distance_m,
  duration_s: distance_m / 5,
  lat: 60.17,
  lng: 24.94,
});

describe('rider route', () => {
  it('lists the turns to ride and draws the street route', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    localStorage.setItem('kirana.rider.online', '1');
    fakeServer({
      'GET /api/v1/me': () => ({ body: { ...ME, roles: ['rider'], store_id: 's1' } }),
      'GET /api/v1/rider/cash': () => ({ body: { cash_held: 0, currency: 'EUR', items: [] } }),
      'GET /api/v1/rider/tasks': () => ({ body: { items: [TASK], next_cursor: null } }),
      'GET /api/v1/rider/route': () => ({
        body: {
          delivery_id: 'd1',
          order_number: 'KR-9',
          heading_to: 'store',
          route: {
            vehicle: 'scooter',
            provider: 'local',
            source: 'road',
            distance_m: 1240,
            duration_s: 300,
            path: [
              [60.17, 24.94],
              [60.169, 24.9377],
              [60.1658, 24.9382],
            ],
            attribution: '© OpenStreetMap contributors',
            steps: [
              step('Head south on Simonkatu', 120, 'depart'),
              step('Arrive at Kamppi Dark Store', 0, 'waypoint'),
              step('Turn left onto Annankatu', 360),
              step('Arrive at Annankatu 18', 0, 'arrive'),
            ],
          },
        },
      }),
    });
    vi.stubGlobal(
      'navigator',
      Object.assign(Object.create(navigator), {
        geolocation: { watchPosition: vi.fn(() => 1), clearWatch: vi.fn() },
      }),
    );
    renderApp(<RiderApp />, '/rider');
    const turns = await screen.findByRole('region', { name: 'Turn-by-turn directions' });
    const items = within(turns).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      'Head south on Simonkatu120 m',
      'Arrive at Kamppi Dark Store',
      'Turn left onto Annankatu360 m',
      'Arrive at Annankatu 18',
    ]);
    expect(within(turns).getByText('To the store, then the drop')).toBeInTheDocument();
    expect(screen.getByTestId('route-total')).toHaveTextContent('1.2 km · 5 min');
    expect(screen.getByTestId('map')).toHaveTextContent('3'); // the street path, not 2 points
  });

  it('formats distances for a glance', () => {
    expect(formatDistance(44)).toBe('40 m');
    expect(formatDistance(1260)).toBe('1.3 km');
  });
});
