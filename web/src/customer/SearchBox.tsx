/**
 * The header's search box: typing searches (the results page follows the words), and a list
 * under it offers completions as the customer types, or the device's recent searches while the
 * box is empty. Focus alone never leaves the page (a keyboard user tabbing past the box stays
 * where they were); the list only opens.
 */
import { useId, useState } from 'react';
import { usePlace } from '../lib/place';
import { navigate, useLocation } from '../lib/router';
import { useDebounced } from './SearchPage';
import { forgetSearches, recentSearches, rememberSearch, useSuggestions } from './catalog';

interface Option {
  key: string;
  text: string;
  hint: string;
  go: () => void;
}

export function SearchBox({ term, setTerm }: { term: string; setTerm: (t: string) => void }) {
  const { pathname } = useLocation();
  const place = usePlace();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [recent, setRecent] = useState<string[]>(() => recentSearches());
  const typed = useDebounced(term, 150);
  const suggestions = useSuggestions(open ? place?.store_id : null, typed);
  const listId = useId();

  const search = (q: string) => {
    rememberSearch(q);
    setRecent(recentSearches());
    setTerm(q);
    setOpen(false);
    navigate(`/search?q=${encodeURIComponent(q)}`);
  };
  const options: Option[] = term.trim()
    ? (suggestions.data?.suggestions ?? []).map((s, i) => ({
        key: `${s.kind}:${i}`,
        text: s.text,
        hint:
          s.kind === 'correction' ? 'Did you mean' : s.kind === 'category' ? 'Category' : 'Product',
        go: () => {
          if (s.kind === 'product' && s.product_id) {
            rememberSearch(term);
            setOpen(false);
            navigate(`/p/${s.product_id}`);
          } else if (s.kind === 'category' && s.category_id) {
            setOpen(false);
            navigate(`/c/${s.category_id}`);
          } else search(s.text);
        },
      }))
    : recent.map((r) => ({ key: `recent:${r}`, text: r, hint: 'Recent', go: () => search(r) }));
  const showList = open && options.length > 0;

  return (
    <form
      className="search-box"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const chosen = active >= 0 ? options[active] : undefined;
        if (chosen) chosen.go();
        else search(term);
      }}
    >
      <label htmlFor="global-search" className="sr-only">
        Search products
      </label>
      <input
        id="global-search"
        type="search"
        placeholder='Search "milk", "atta", "dahi"…'
        value={term}
        autoComplete="off"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
        onFocus={() => {
          setRecent(recentSearches());
          setOpen(true);
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && options.length) {
            e.preventDefault();
            setOpen(true);
            setActive((a) => (a + 1) % options.length);
          } else if (e.key === 'ArrowUp' && options.length) {
            e.preventDefault();
            setActive((a) => (a <= 0 ? options.length - 1 : a - 1));
          } else if (e.key === 'Escape' && showList) {
            // The first Escape closes the list and keeps the words (a search box's own Escape
            // would clear them and empty the results page); the next one clears, as usual.
            e.preventDefault();
            setOpen(false);
            setActive(-1);
          }
        }}
        // Searching starts when the customer types or submits: focus alone never leaves the page.
        onChange={(e) => {
          setTerm(e.target.value);
          setOpen(true);
          setActive(-1);
          navigate(`/search?q=${encodeURIComponent(e.target.value)}`, {
            replace: pathname.startsWith('/search'),
          });
        }}
      />
      {showList ? (
        <ul className="search-suggestions" id={listId} role="listbox" aria-label="Suggestions">
          {options.map((o, i) => (
            <li
              key={o.key}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault(); // keep focus: the blur would close the list first
                o.go();
              }}
            >
              <span>{o.text}</span>
              <span className="subtle">{o.hint}</span>
            </li>
          ))}
          {!term.trim() ? (
            <li role="presentation" className="search-suggestions-clear">
              <button
                type="button"
                className="link-btn"
                onMouseDown={(e) => {
                  e.preventDefault();
                  forgetSearches();
                  setRecent([]);
                }}
              >
                Clear recent searches
              </button>
            </li>
          ) : null}
        </ul>
      ) : null}
    </form>
  );
}
