import { useState } from 'react';
import { Icon } from '../ui/icons';
import { api, unwrap } from '../lib/api';
import { useAuth } from '../lib/auth';
import { promiseText, setPlace, usePlace } from '../lib/place';
import { useQuery } from '../lib/query';
import { navigate } from '../lib/router';
import type { Address, Serviceability } from '../lib/types';
import { Button, ErrorBanner } from '../ui';
import { Map } from '../map/Map';
import { AddressSearch, addressAt } from './AddressSearch';

export async function checkServiceability(lat: number, lng: number): Promise<Serviceability> {
  return unwrap(api.GET('/api/v1/serviceability', { params: { query: { lat, lng } } }));
}

export function LocationPage() {
  const { user } = useAuth();
  const place = usePlace();
  const stores = useQuery('stores', () =>
    unwrap(api.GET('/api/v1/stores', { params: { query: { limit: 100 } } })),
  );
  const addresses = useQuery(user ? 'addresses' : null, () =>
    unwrap(api.GET('/api/v1/me/addresses')),
  );
  const [picked, setPicked] = useState<{
    lat: number;
    lng: number;
    label: string;
    address_id?: string;
  } | null>(
    place
      ? {
          lat: place.lat,
          lng: place.lng,
          label: place.label,
          address_id: place.address_id ?? undefined,
        }
      : null,
  );
  const [result, setResult] = useState<Serviceability | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [locating, setLocating] = useState(false);

  async function check(spot: { lat: number; lng: number; label: string; address_id?: string }) {
    setPicked(spot);
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await checkServiceability(spot.lat, spot.lng);
      setResult(r);
      if (r.serviceable && r.store) {
        setPlace({
          lat: spot.lat,
          lng: spot.lng,
          label: spot.label,
          address_id: spot.address_id ?? null,
          store_id: r.store.id,
          store_name: r.store.name,
          eta_minutes: r.eta_minutes ?? null,
          eta_status: r.eta_status ?? null,
          eta_range: r.eta_range ?? null,
        });
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function useDevice() {
    if (!('geolocation' in navigator)) {
      setError(new Error('This device cannot share its location. Pick a spot on the map instead.'));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        void check({
          lat: pos.coords.latitude,
          lng: pos.coords.longitude,
          label: 'Current location',
        });
      },
      () => {
        setLocating(false);
        setError(new Error('Location permission was denied. Pick a saved address or tap the map.'));
      },
      { enableHighAccuracy: true, timeout: 10000 },
    );
  }

  async function pin(lat: number, lng: number) {
    // The pin is where we deliver; the address there (if one is known) names it.
    const place = await addressAt(lat, lng).catch(() => null);
    await check({ lat, lng, label: place ? place.label : 'Pinned spot' });
  }

  const addressItems = (addresses.data?.items ?? []) as Address[];

  return (
    <div className="stack" style={{ maxWidth: 760, margin: '0 auto' }}>
      <h1>Where should we deliver?</h1>
      <div className="row wrap">
        <Button onClick={useDevice} busy={locating}>
          <Icon name="target" /> Use my current location
        </Button>
        {!user ? (
          <Button variant="ghost" onClick={() => navigate('/login?next=/location')}>
            Sign in for saved addresses
          </Button>
        ) : null}
      </div>
      {addressItems.length ? (
        <section aria-labelledby="saved-h" className="card flat">
          <h2 id="saved-h">Saved addresses</h2>
          <div className="stack">
            {addressItems.map((a) => (
              <button
                key={a.id}
                className="choice"
                style={{ textAlign: 'left', font: 'inherit' }}
                onClick={() =>
                  void check({
                    lat: a.lat,
                    lng: a.lng,
                    label: a.label || a.line1,
                    address_id: a.id,
                  })
                }
              >
                <Icon name="pin" />
                <span className="grow">
                  <strong>{a.label}</strong>
                  <span className="subtle" style={{ display: 'block' }}>
                    {a.line1}, {a.city} {a.pincode}
                  </span>
                </span>
              </button>
            ))}
          </div>
        </section>
      ) : null}
      <section aria-labelledby="find-h" className="card flat">
        <h2 id="find-h">Find an address</h2>
        <AddressSearch
          label="Street and number"
          onChoose={(p) => void check({ lat: p.lat, lng: p.lng, label: p.label })}
        />
      </section>
      <section aria-labelledby="map-h">
        <h2 id="map-h">Or tap the map</h2>
        <p className="subtle">Green areas are served by a Kirana store.</p>
        <Map
          label="Map of stores and their delivery areas; click to choose a delivery point"
          stores={stores.data?.items ?? []}
          points={
            picked
              ? [{ id: 'you', lat: picked.lat, lng: picked.lng, label: picked.label, kind: 'you' }]
              : []
          }
          onPick={(lat, lng) => void pin(lat, lng)}
        />
      </section>
      <div aria-live="polite" style={{ minHeight: 64 }}>
        {busy ? <p className="muted">Checking who delivers there…</p> : null}
        <ErrorBanner error={error} />
        {result && result.serviceable && result.store ? (
          <div className="banner success" role="status">
            <div className="grow">
              <strong>
                {result.store.name} delivers here
                {result.eta_minutes ? ` ${promiseText(result, 'long')}` : ''}.
              </strong>
            </div>
            <Button onClick={() => navigate('/')}>Start shopping</Button>
          </div>
        ) : null}
        {result && !result.serviceable ? (
          <div className="banner warn" role="status">
            <div>
              <strong>Not served here yet.</strong> We are not delivering to this spot yet — try a
              point inside a green area.
            </div>
          </div>
        ) : null}
      </div>
    </div>
  );
}
