/** The choices admin forms repeat: every store, and a rider's vehicles. */
import { SelectField } from '../ui';
import { useStores } from './data';

/** One option per store, by name (for a select whose value is a store id). */
export function StoreOptions() {
  const stores = useStores();
  return (
    <>
      {stores.data?.items.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </>
  );
}

/** A filter of admin lists: one store, or all of them ('' is all). */
export function StoreFilter({
  value,
  onChange,
}: {
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <SelectField label="Store" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">All stores</option>
      <StoreOptions />
    </SelectField>
  );
}

export type Vehicle = 'bicycle' | 'scooter' | 'motorbike' | 'on_foot';

export const VEHICLES: Array<[Vehicle, string]> = [
  ['bicycle', 'Bicycle'],
  ['scooter', 'Scooter'],
  ['motorbike', 'Motorbike'],
  ['on_foot', 'On foot'],
];
