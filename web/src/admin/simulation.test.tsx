import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { Simulation } from './Simulation';

afterEach(() => vi.unstubAllGlobals());

describe('simulation report', () => {
  it('shows the last report in a sandboxed frame', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    fakeServer({
      'GET /api/v1/admin/simulations/latest': () => ({
        body: {
          name: '20261204T020000Z',
          finished_at: '2026-12-04T02:00:00Z',
          metrics: { deliveries: 3 },
          html: '<!doctype html><h1>Kirana city simulation</h1>',
        },
      }),
    });
    renderApp(<Simulation />, '/admin/simulation');
    const frame = await screen.findByTitle('Simulation report');
    expect(frame).toHaveAttribute('sandbox', '');
    expect(frame.getAttribute('srcdoc')).toContain('Kirana city simulation');
    expect(screen.getByTestId('simulation-name')).toHaveTextContent('20261204T020000Z');
  });

  it('says how to make one before the first run', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    fakeServer({
      'GET /api/v1/admin/simulations/latest': () => ({
        status: 404,
        contentType: 'application/problem+json',
        body: {
          status: 404,
          code: 'simulation_not_found',
          title: 'Not found',
          detail: 'No simulation report yet',
        },
      }),
    });
    renderApp(<Simulation />, '/admin/simulation');
    expect(await screen.findByText('No simulation yet')).toBeInTheDocument();
    expect(screen.queryByTitle('Simulation report')).toBeNull();
  });
});
