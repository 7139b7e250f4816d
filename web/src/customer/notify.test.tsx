import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { ME, renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { LoginPage } from './AuthPages';
import { NotificationSettings, fromClock, toClock } from './NotificationSettings';

afterEach(() => vi.unstubAllGlobals());

const PREFS = {
  language: 'en',
  email: true,
  sms: true,
  push: true,
  marketing: false,
  quiet_start: 1320,
  quiet_end: 480,
  available: ['email', 'sms'],
};

describe('code login', () => {
  it('asks for a code, then signs in with it', async () => {
    const server = fakeServer({
      'POST /api/v1/auth/otp/request': () => ({ status: 202, body: { expires_in: 300 } }),
      'POST /api/v1/auth/otp/verify': () => ({
        body: {
          access_token: 'A',
          refresh_token: 'R',
          token_type: 'bearer',
          expires_in: 900,
          user: ME,
          new_account: true,
        },
      }),
      'GET /api/v1/me': () => ({ body: ME }),
    });
    renderApp(<LoginPage />, '/login');
    await userEvent.click(
      screen.getByRole('button', { name: 'Sign in with a code by SMS instead' }),
    );
    await userEvent.type(screen.getByLabelText('Phone number'), '+358401234567');
    await userEvent.click(screen.getByRole('button', { name: 'Send code' }));
    expect(await screen.findByText(/It works for 5 min/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Code'), '12a3456');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(location.pathname).toBe('/'));
    const verify = server.calls.find((c) => c.path === '/api/v1/auth/otp/verify');
    expect(verify?.body).toEqual({ phone: '+358401234567', code: '123456' });
  });

  it('shows the tries left after a wrong code', async () => {
    fakeServer({
      'POST /api/v1/auth/otp/request': () => ({ status: 202, body: { expires_in: 300 } }),
      'POST /api/v1/auth/otp/verify': () => ({
        status: 401,
        body: {
          title: 'Authentication required',
          status: 401,
          detail: 'That is not the code we sent; 4 tries left',
          code: 'invalid_code',
          attempts_left: 4,
        },
      }),
    });
    renderApp(<LoginPage />, '/login');
    await userEvent.click(
      screen.getByRole('button', { name: 'Sign in with a code by SMS instead' }),
    );
    await userEvent.type(screen.getByLabelText('Phone number'), '+358401234567');
    await userEvent.click(screen.getByRole('button', { name: 'Send code' }));
    await userEvent.type(await screen.findByLabelText('Code'), '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('4 tries left');
  });
});

describe('notification settings', () => {
  it('writes minutes as a clock and back', () => {
    expect(toClock(1320)).toBe('22:00');
    expect(toClock(65)).toBe('01:05');
    expect(fromClock('08:30')).toBe(510);
  });

  it('shows only the channels the shop has and saves the choice', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const server = fakeServer({
      'GET /api/v1/me/notification-preferences': () => ({ body: PREFS }),
      'PATCH /api/v1/me/notification-preferences': (req) => ({
        body: { ...PREFS, ...(req.body as object) },
      }),
      'GET /api/v1/me': () => ({ body: ME }),
    });
    renderApp(<NotificationSettings />, '/account');
    const sms = await screen.findByRole('checkbox', { name: 'SMS' });
    expect(screen.queryByRole('checkbox', { name: /push/ })).toBeNull();
    await userEvent.click(sms);
    await userEvent.selectOptions(screen.getByLabelText('Language of messages'), 'hi');
    await userEvent.click(screen.getByRole('button', { name: 'Save notification settings' }));
    await waitFor(() =>
      expect(server.calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({
        sms: false,
        language: 'hi',
        email: true,
      }),
    );
  });
});
