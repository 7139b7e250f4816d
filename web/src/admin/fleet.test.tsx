import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { Fleet, hoursText } from './Fleet';

afterEach(() => vi.unstubAllGlobals());

const figures = {
  online_seconds: 3600,
  busy_seconds: 1200,
  idle_seconds: 2400,
  utilisation: 0.333,
  deliveries: 2,
  orders_per_rider_hour: 2,
  distance_m_per_order: 1460,
};

describe('fleet', () => {
  it('says durations in hours and minutes', () => {
    expect(hoursText(0)).toBe('0 min');
    expect(hoursText(12 * 60)).toBe('12 min');
    expect(hoursText(3 * 3600 + 5 * 60)).toBe('3 h 05 min');
  });

  it('shows the totals and each rider, and asks for the chosen window', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const { calls } = fakeServer({
      'GET /api/v1/stores': () => ({
        body: { items: [{ id: 's1', name: 'Kamppi' }], next_cursor: null },
      }),
      'GET /api/v1/admin/riders': () => ({ body: { items: [], next_cursor: null } }),
      'GET /api/v1/admin/fleet': () => ({
        body: {
          since: '2026-12-02T10:00:00Z',
          until: '2026-12-03T10:00:00Z',
          store_id: null,
          totals: figures,
          riders: [
            {
              ...figures,
              rider_id: 'r1',
              name: 'Aino',
              store_id: 's1',
              vehicle: 'on_foot',
              is_online: true,
            },
          ],
        },
      }),
    });
    renderApp(<Fleet />, '/admin/fleet');
    const totals = await screen.findByRole('list', { name: 'Fleet totals' });
    expect(within(totals).getByText('33%')).toBeInTheDocument();
    expect(within(totals).getByText('1.5 km')).toBeInTheDocument();
    const row = (await screen.findByText('Aino')).closest('tr')!;
    expect(within(row).getByText('1 h 00 min')).toBeInTheDocument();
    expect(within(row).getByText('40 min')).toBeInTheDocument();
    expect(within(row).getByText('Kamppi · on foot')).toBeInTheDocument();
    const asked = calls.find((c) => c.path === '/api/v1/admin/fleet')!;
    const q = new URLSearchParams(asked.search);
    const hours = (Date.parse(q.get('until')!) - Date.parse(q.get('since')!)) / 3600_000;
    expect(hours).toBe(24);
  });
});
