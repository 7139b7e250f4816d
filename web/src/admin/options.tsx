/** The choices admin forms repeat: every store, and a rider's vehicles. */
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

export type Vehicle = 'bicycle' | 'scooter' | 'motorbike' | 'on_foot';

export const VEHICLES: Array<[Vehicle, string]> = [
  ['bicycle', 'Bicycle'],
  ['scooter', 'Scooter'],
  ['motorbike', 'Motorbike'],
  ['on_foot', 'On foot'],
];
