import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { Team } from './Team';

afterEach(() => vi.unstubAllGlobals());

const member = (over: Record<string, unknown>) => ({
  user_id: 'u1',
  role: 'rider',
  phone: '+358401234567',
  name: 'Aino',
  store_id: 's1',
  is_active: true,
  created_at: '2026-01-01T10:00:00Z',
  rider_id: 'r1',
  vehicle: 'bicycle',
  is_online: true,
  ...over,
});

describe('team', () => {
  const routes = () => ({
    'GET /api/v1/stores': () => ({
      body: {
        items: [
          { id: 's1', name: 'Kamppi' },
          { id: 's2', name: 'Kallio' },
        ],
        next_cursor: null,
      },
    }),
    'GET /api/v1/admin/team': () => ({
      body: {
        items: [
          member({}),
          member({
            user_id: 'u2',
            role: 'store_staff',
            name: 'Eero',
            rider_id: null,
            vehicle: null,
            is_online: null,
          }),
        ],
        next_cursor: null,
      },
    }),
  });

  it('adds a picker with no vehicle and shows the API field error under its input', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    let tries = 0;
    const { calls } = fakeServer({
      ...routes(),
      'POST /api/v1/admin/team': () =>
        ++tries === 1
          ? {
              status: 422,
              body: {
                title: 'Unprocessable',
                status: 422,
                detail: 'Check the fields',
                errors: [{ field: 'phone', message: 'not a phone number' }],
              },
            }
          : { status: 201, body: member({ user_id: 'u3', role: 'store_staff', name: 'Mia' }) },
    });
    renderApp(<Team />, '/admin/team');
    expect(await screen.findByText('Aino')).toBeInTheDocument();
    expect(screen.getByText('On shift')).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Add a picker or a rider' });
    await userEvent.selectOptions(within(form).getByLabelText('Role'), 'store_staff');
    expect(within(form).queryByLabelText('Vehicle')).toBeNull();
    await userEvent.type(within(form).getByLabelText('Name'), 'Mia');
    await userEvent.type(within(form).getByLabelText('Phone'), '12');
    await userEvent.click(within(form).getByRole('button', { name: 'Add to the team' }));
    expect(await within(form).findByText('not a phone number')).toBeInTheDocument();
    await userEvent.clear(within(form).getByLabelText('Phone'));
    await userEvent.type(within(form).getByLabelText('Phone'), '+358401234569');
    await userEvent.click(within(form).getByRole('button', { name: 'Add to the team' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    expect(calls.filter((c) => c.method === 'POST')[1]!.body).toEqual({
      role: 'store_staff',
      name: 'Mia',
      phone: '+358401234569',
      store_id: 's1',
    });
  });

  it('moves a rider to another store and deactivates a picker', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const { calls } = fakeServer({
      ...routes(),
      'PATCH /api/v1/admin/team/{id}': (c) => ({ body: member({ ...(c.body as object) }) }),
    });
    renderApp(<Team />, '/admin/team');
    await userEvent.selectOptions(await screen.findByLabelText('Store of Aino'), 's2');
    await userEvent.click(screen.getByRole('button', { name: 'Move' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    const moved = calls.find((c) => c.method === 'PATCH')!;
    expect([moved.path, moved.body]).toEqual(['/api/v1/admin/team/u1', { store_id: 's2' }]);
    const row = screen.getByText('Eero').closest('tr')!;
    await userEvent.click(within(row).getByRole('button', { name: 'Deactivate' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(2));
    const off = calls.filter((c) => c.method === 'PATCH')[1]!;
    expect([off.path, off.body]).toEqual(['/api/v1/admin/team/u2', { is_active: false }]);
  });
});
