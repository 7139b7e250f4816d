import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { BacklogBanner } from './Dashboard';

afterEach(() => vi.unstubAllGlobals());

const backlog = (stale: boolean) => ({
  unpublished: stale ? 840 : 0,
  oldest_created_at: stale ? '2026-12-01T10:00:00Z' : null,
  oldest_age_seconds: stale ? 62.4 : 0,
  stale,
});

describe('event backlog banner', () => {
  it('warns the admin when the relay is behind', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    fakeServer({ 'GET /api/v1/admin/outbox': () => ({ body: backlog(true) }) });
    renderApp(<BacklogBanner />, '/admin');
    expect(await screen.findByText('Events are 62 s behind (840 waiting).')).toBeVisible();
  });

  it('says nothing while the relay keeps up', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const calls = vi.fn(() => ({ body: backlog(false) }));
    fakeServer({ 'GET /api/v1/admin/outbox': calls });
    renderApp(<BacklogBanner />, '/admin');
    await waitFor(() => expect(calls).toHaveBeenCalled());
    expect(screen.queryByText(/Events are/)).toBeNull();
  });
});
