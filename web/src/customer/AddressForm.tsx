import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { ApiError } from '../lib/problem';
import type { Address } from '../lib/types';
import { Button, ErrorBanner, TextField } from '../ui';

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
    lat: 60.17,
    lng: 24.94,
    instructions: '',
    ...initial,
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fe = (f: string) => (error instanceof ApiError ? error.fieldMessage(f) : undefined);
  const set = (k: keyof AddressDraft) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setDraft((d) => ({
      ...d,
      [k]: k === 'lat' || k === 'lng' ? Number(e.target.value) : e.target.value,
    }));

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
      <div className="form-grid cols-2">
        <TextField
          label="Latitude"
          type="number"
          step="any"
          value={draft.lat}
          onChange={set('lat')}
          error={fe('lat')}
          hint="Filled from your chosen location"
        />
        <TextField
          label="Longitude"
          type="number"
          step="any"
          value={draft.lng}
          onChange={set('lng')}
          error={fe('lng')}
        />
      </div>
      <TextField
        label="Directions for the rider (optional)"
        value={draft.instructions}
        onChange={set('instructions')}
        error={fe('instructions')}
      />
      <div className="row">
        <Button type="submit" busy={busy}>
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
