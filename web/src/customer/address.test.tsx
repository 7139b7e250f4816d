import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
import { setTokens } from '../lib/tokens';
import { AddressForm } from './AddressForm';

// The map: a button standing in for a click on the street map at Annankatu 18's door.
vi.mock('../map/Map', () => ({
  Map: ({ onPick }: { onPick?: (lat: number, lng: number) => void }) => (
    <button type="button" onClick={() => onPick?.(60.16581, 24.93816)}>
      Drop pin on map
    </button>
  ),
}));
afterEach(() => vi.unstubAllGlobals());

const ANNANKATU = {
  label: 'Annankatu 18',
  street: 'Annankatu',
  housenumber: '18',
  postcode: '00120',
  city: 'Helsinki',
  lat: 60.1658,
  lng: 24.9382,
};

function server() {
  return fakeServer({
    'GET /api/v1/me': () => ({ body: { id: 'u1', roles: ['customer'] } }),
    'GET /api/v1/maps/geocode': (req) => ({
      body: {
        items: new URLSearchParams(req.search).get('q')?.startsWith('annan') ? [ANNANKATU] : [],
        next_cursor: null,
      },
    }),
    'GET /api/v1/maps/reverse': () => ({ body: ANNANKATU }),
    'POST /api/v1/me/addresses': (req) => ({
      status: 201,
      body: { id: 'a1', ...(req.body as object) },
    }),
  });
}

describe('address form', () => {
  it('finds the address by search and saves its position', { timeout: 15000 }, async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const { calls } = server();
    const saved = vi.fn();
    renderApp(<AddressForm initial={{}} onSaved={saved} />);
    const save = screen.getByRole('button', { name: 'Save address' });
    expect(save).toBeDisabled(); // nowhere chosen yet
    expect(screen.queryByLabelText('Latitude')).toBeNull(); // never typed coordinates

    await userEvent.type(
      screen.getByRole('combobox', { name: 'Find your address' }),
      'annankatu 1',
    );
    await userEvent.click(await screen.findByRole('option', { name: /Annankatu 18/ }));
    expect(screen.getByLabelText('Street address')).toHaveValue('Annankatu 18');
    expect(screen.getByLabelText('Postcode / PIN')).toHaveValue('00120');
    await userEvent.click(save);
    await waitFor(() => expect(saved).toHaveBeenCalled());
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({ line1: 'Annankatu 18', lat: 60.1658, lng: 24.9382 });
  });

  it('a dropped pin is looked up and the pin is where the rider goes', async () => {
    setTokens({ access_token: 'A', refresh_token: 'R' });
    const { calls } = server();
    const saved = vi.fn();
    renderApp(<AddressForm initial={{}} onSaved={saved} />);
    await userEvent.click(screen.getByRole('button', { name: 'Drop pin on map' }));
    expect(await screen.findByText('Pin dropped at Annankatu 18.')).toBeInTheDocument();
    expect(screen.getByLabelText('Street address')).toHaveValue('Annankatu 18');
    const reverse = calls.find((c) => c.path === '/api/v1/maps/reverse')!;
    expect(reverse.search).toBe('?lat=60.16581&lng=24.93816');
    await userEvent.click(screen.getByRole('button', { name: 'Save address' }));
    await waitFor(() => expect(saved).toHaveBeenCalled());
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({ line1: 'Annankatu 18', lat: 60.16581, lng: 24.93816 });
  });

  it('says so when no address matches', async () => {
    server();
    renderApp(<AddressForm initial={{}} onSaved={vi.fn()} />);
    await userEvent.type(screen.getByRole('combobox', { name: 'Find your address' }), 'zzz');
    expect(await screen.findByText(/No address matches “zzz”/)).toBeInTheDocument();
  });
});
