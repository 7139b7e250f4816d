import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { DeliveryPromise, minutes, share, spread } from './DeliveryPromise';

afterEach(() => vi.unstubAllGlobals());

const figures = (
  orders: number,
  on_time_share: number | null,
  [mean, median, p10, p90]: Array<number | null>,
) => ({
  orders,
  on_time: on_time_share === null ? 0 : Math.round(orders * on_time_share),
  on_time_share,
  error_mean: mean ?? null,
  error_median: median ?? null,
  error_p10: p10 ?? null,
  error_p90: p90 ?? null,
});

const report = {
  from: '2026-12-01T09:00:00Z',
  to: '2026-12-02T09:00:00Z',
  store_id: null,
  overall: figures(5, 0.6, [3.4, 2, -1.8, 9.6]),
  stores: [
    {
      store_id: 's1',
      store_name: 'Kamppi',
      ...figures(4, 0.75, [1.25, 1, -2.1, 4.8]),
      hours: [
        { hour: '2026-12-01T10:00:00Z', ...figures(3, 0.6667, [1.67, 2, -2, 5.2]) },
        { hour: '2026-12-01T11:00:00Z', ...figures(1, 1, [0, 0, 0, 0]) },
      ],
    },
    {
      store_id: 's2',
      store_name: 'Töölö',
      ...figures(1, 0, [12, 12, 12, 12]),
      hours: [{ hour: '2026-12-01T10:00:00Z', ...figures(1, 0, [12, 12, 12, 12]) }],
    },
  ],
};

const stores = () => ({
  body: {
    items: [
      { id: 's1', name: 'Kamppi' },
      { id: 's2', name: 'Töölö' },
    ],
    next_cursor: null,
  },
});

describe('delivery promise report', () => {
  it('shows the on-time share, the error and its spread, by store and by hour', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    fakeServer({
      'GET /api/v1/stores': stores,
      'GET /api/v1/admin/reports/promise': () => ({ body: report }),
    });
    renderApp(<DeliveryPromise />, '/admin/promise');
    expect(await screen.findByTestId('promise-on-time')).toHaveTextContent('60%');
    expect(screen.getByTestId('promise-orders')).toHaveTextContent('5');
    expect(screen.getByTestId('promise-median')).toHaveTextContent('+2 min');
    expect(screen.getByTestId('promise-spread')).toHaveTextContent('−1.8 min to +9.6 min');
    const kamppi = screen
      .getAllByText('Kamppi')
      .find((el) => el.closest('tr'))!
      .closest('tr')!;
    expect(within(kamppi).getByText('75%')).toBeInTheDocument();
    expect(within(kamppi).getByText('−2.1 min to +4.8 min')).toBeInTheDocument();
    const byHour = screen.getByRole('region', { name: 'Kamppi by hour' });
    expect(within(byHour).getAllByRole('row')).toHaveLength(3); // the header and two hours
    expect(within(byHour).getByText('67%')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Töölö by hour' })).toBeInTheDocument();
  });

  it('asks for the chosen store and window', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const { calls } = fakeServer({
      'GET /api/v1/stores': stores,
      'GET /api/v1/admin/reports/promise': () => ({ body: report }),
    });
    renderApp(<DeliveryPromise />, '/admin/promise');
    await screen.findByTestId('promise-on-time');
    await screen.findByRole('option', { name: 'Töölö' });
    await userEvent.selectOptions(screen.getByLabelText('Store'), 's2');
    await userEvent.selectOptions(screen.getByLabelText('Window'), '7d');
    const asked = calls.filter((c) => c.path === '/api/v1/admin/reports/promise');
    const last = new URLSearchParams(asked[asked.length - 1]!.search);
    expect(last.get('store_id')).toBe('s2');
    const span = Date.parse(last.get('to')!) - Date.parse(last.get('from')!);
    expect(span).toBe(7 * 24 * 3600_000);
    expect(new URLSearchParams(asked[0]!.search).get('store_id')).toBeNull();
  });

  it('says so when nothing was delivered, and shows a refusal', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let refuse = false;
    fakeServer({
      'GET /api/v1/stores': stores,
      'GET /api/v1/admin/reports/promise': () =>
        refuse
          ? {
              status: 422,
              body: { title: 'Invalid', status: 422, detail: 'At most 31 days at once' },
            }
          : { body: { ...report, overall: figures(0, null, []), stores: [] } },
    });
    renderApp(<DeliveryPromise />, '/admin/promise');
    expect(
      await screen.findByText('No delivered order with a promise in this window'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('promise-on-time')).toHaveTextContent('—');
    refuse = true;
    await userEvent.selectOptions(screen.getByLabelText('Window'), '30d');
    expect(await screen.findByText(/At most 31 days at once/)).toBeInTheDocument();
  });
});

describe('promise figures as words', () => {
  it('signs minutes, rounds shares and dashes what is missing', () => {
    expect(minutes(2.46)).toBe('+2.5 min');
    expect(minutes(-3)).toBe('−3 min');
    expect(minutes(0)).toBe('0 min');
    expect(minutes(null)).toBe('—');
    expect(share(0.6667)).toBe('67%');
    expect(share(null)).toBe('—');
    expect(spread(figures(0, null, []))).toBe('—');
  });
});
