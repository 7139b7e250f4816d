/**
 * Finding an address by typing its street and number: a list of matching street addresses
 * (GET /api/v1/maps/geocode, the city's own address data) to choose from with mouse or keys.
 */
import { useEffect, useId, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { ApiError } from '../lib/problem';
import type { Res } from '../lib/types';
import { useDebounced } from './SearchPage';

export type Place = Res<'/api/v1/maps/reverse', 'get'>;

/** The street address at a dropped pin, or null where none is known near it. */
export async function addressAt(lat: number, lng: number): Promise<Place | null> {
  try {
    return await unwrap(api.GET('/api/v1/maps/reverse', { params: { query: { lat, lng } } }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export function AddressSearch({
  onChoose,
  label = 'Find your address',
}: {
  onChoose: (place: Place) => void;
  label?: string;
}) {
  const [term, setTerm] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [found, setFound] = useState<Place[]>([]);
  const [searched, setSearched] = useState('');
  const typed = useDebounced(term.trim(), 200);
  const id = useId();

  useEffect(() => {
    if (typed.length < 2) {
      setFound([]);
      setSearched('');
      return;
    }
    let current = true;
    void unwrap(api.GET('/api/v1/maps/geocode', { params: { query: { q: typed, limit: 8 } } }))
      .then((page) => {
        if (!current) return;
        setFound(page.items);
        setSearched(typed);
        setActive(-1);
      })
      .catch(() => current && setFound([]));
    return () => {
      current = false;
    };
  }, [typed]);

  const choose = (place: Place) => {
    setTerm(place.label);
    setOpen(false);
    onChoose(place);
  };
  const showList = open && found.length > 0;

  return (
    <div className="field address-search">
      <label htmlFor={`${id}-input`}>{label}</label>
      <input
        id={`${id}-input`}
        type="search"
        placeholder="Street and number, e.g. Annankatu 18"
        autoComplete="off"
        role="combobox"
        aria-expanded={showList}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={showList && active >= 0 ? `${id}-${active}` : undefined}
        value={term}
        onChange={(e) => {
          setTerm(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && found.length) {
            e.preventDefault();
            setOpen(true);
            setActive((a) => (a + 1) % found.length);
          } else if (e.key === 'ArrowUp' && found.length) {
            e.preventDefault();
            setActive((a) => (a <= 0 ? found.length - 1 : a - 1));
          } else if (e.key === 'Enter' && showList) {
            e.preventDefault(); // choosing, not submitting the form around it
            choose(found[Math.max(active, 0)]!);
          } else if (e.key === 'Escape') {
            setOpen(false);
          }
        }}
      />
      {showList ? (
        <ul className="search-suggestions" id={`${id}-list`} role="listbox" aria-label="Addresses">
          {found.map((p, i) => (
            <li
              key={`${p.label}-${p.lat}-${p.lng}`}
              id={`${id}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(p);
              }}
            >
              <span>{p.label}</span>
              <span className="subtle">{[p.postcode, p.city].filter(Boolean).join(' ')}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {open && searched && searched === typed && !found.length ? (
        <span className="field-hint" role="status">
          No address matches “{searched}”. Drop a pin on the map instead.
        </span>
      ) : null}
    </div>
  );
}
