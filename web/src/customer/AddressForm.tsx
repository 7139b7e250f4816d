/**
 * A delivery address: found by searching the city's street addresses or by dropping a pin on
 * the map (which looks up the address there), never by typing coordinates.
 */
import { useEffect, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { ApiError, errorMessage } from '../lib/problem';
import type { Address } from '../lib/types';
import { Map } from '../map/Map';
import { Button, ErrorBanner, TextField } from '../ui';
import { AddressSearch, addressAt, type Place } from './AddressSearch';

export interface AddressDraft {
  label: string;
  line1: string;
  city: string;
  pincode: string;
  lat: number;
  lng: number;
  instructions: string;
}

export function AddressForm({
  initial,
  addressId,
  onSaved,
  onCancel,
}: {
  initial: Partial<AddressDraft>;
  addressId?: string;
  onSaved: (a: Address) => void;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState<AddressDraft>({
    label: 'Home',
    line1: '',
    city: 'Helsinki',
    pincode: '',
    instructions: '',
    ...initial,
    // Not sent until an address is chosen or a pin dropped (``located``).
    lat: initial.lat ?? 60.17,
    lng: initial.lng ?? 24.94,
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Where the rider goes: known once an address is chosen or a pin dropped (or when editing).
  const [located, setLocated] = useState(initial.lat !== undefined && initial.lng !== undefined);
  const [pinNote, setPinNote] = useState<string | null>(null);
  const [lookingUp, setLookingUp] = useState(false);
  const fe = (f: string) => (error instanceof ApiError ? error.fieldMessage(f) : undefined);
  const set = (k: keyof AddressDraft) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));

  const fill = (place: Place, at?: { lat: number; lng: number }) =>
    setDraft((d) => ({
      ...d,
      line1: place.housenumber ? `${place.street} ${place.housenumber}` : place.street,
      pincode: place.postcode ?? d.pincode,
      city: place.city ?? d.city,
      lat: at?.lat ?? place.lat,
      lng: at?.lng ?? place.lng,
    }));

  function chose(place: Place) {
    fill(place);
    setLocated(true);
    setPinNote(`Delivering to ${place.label}.`);
  }

  // A new address at the spot the customer chose for delivery: name it from the map, unless
  // they have started typing.
  useEffect(() => {
    if (addressId || initial.line1 || initial.lat === undefined || initial.lng === undefined)
      return;
    let current = true;
    void addressAt(initial.lat, initial.lng)
      .then((place) => {
        if (!current || !place) return;
        setDraft((d) =>
          d.line1
            ? d
            : {
                ...d,
                line1: place.housenumber ? `${place.street} ${place.housenumber}` : place.street,
                pincode: d.pincode || (place.postcode ?? ''),
              },
        );
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
    // Once, for the spot the form opened at.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function dropPin(lat: number, lng: number) {
    setDraft((d) => ({ ...d, lat, lng }));
    setLocated(true);
    setLookingUp(true);
    setPinNote('Looking up the address at your pin…');
    try {
      const place = await addressAt(lat, lng);
      if (place) {
        fill(place, { lat, lng }); // the pin is the door; the address names it
        setPinNote(`Pin dropped at ${place.label}.`);
      } else {
        setPinNote('Pin dropped. No street address is known right there: type the street below.');
      }
    } catch (e) {
      setPinNote(`Pin dropped. ${errorMessage(e)}`);
    } finally {
      setLookingUp(false);
    }
  }

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { ...draft, instructions: draft.instructions || null };
    try {
      const saved = addressId
        ? await unwrap(
            api.PATCH('/api/v1/me/addresses/{address_id}', {
              params: { path: { address_id: addressId } },
              body,
            }),
          )
        : await unwrap(api.POST('/api/v1/me/addresses', { body }));
      onSaved(saved as Address);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="form-grid"
      onSubmit={save}
      aria-label={addressId ? 'Edit address' : 'New address'}
    >
      <ErrorBanner error={error} />
      <AddressSearch onChoose={chose} />
      <Map
        label="Map: click or tap to drop a pin at your door"
        points={
          located
            ? [
                {
                  id: 'pin',
                  lat: draft.lat,
                  lng: draft.lng,
                  label: draft.line1 || 'Your pin',
                  kind: 'address',
                },
              ]
            : []
        }
        onPick={(lat, lng) => void dropPin(lat, lng)}
      />
      <p className="subtle" aria-live="polite" data-testid="pin-note">
        {pinNote ?? 'Search for your address, or click the map to drop a pin at your door.'}
      </p>
      <div className="form-grid cols-2">
        <TextField
          label="Label"
          value={draft.label}
          onChange={set('label')}
          required
          error={fe('label')}
          placeholder="Home, Work…"
        />
        <TextField
          label="Postcode / PIN"
          value={draft.pincode}
          onChange={set('pincode')}
          required
          error={fe('pincode')}
          inputMode="numeric"
        />
      </div>
      <TextField
        label="Street address"
        value={draft.line1}
        onChange={set('line1')}
        required
        error={fe('line1')}
        autoComplete="street-address"
      />
      <TextField
        label="City"
        value={draft.city}
        onChange={set('city')}
        required
        error={fe('city')}
      />
      <TextField
        label="Directions for the rider (optional)"
        value={draft.instructions}
        onChange={set('instructions')}
        error={fe('instructions')}
      />
      <div className="row">
        <Button type="submit" busy={busy} disabled={!located || lookingUp}>
          Save address
        </Button>
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
