import { useEffect, useState, type ReactNode } from 'react';
import { Link, navigate, useLocation, useSearchParam } from '../lib/router';
import { SearchBox } from './SearchBox';
import { promiseText, usePlace } from '../lib/place';
import { useAuth } from '../lib/auth';
import { formatMoney } from '../lib/money';
import { useCart } from './useCart';
import { Icon, type IconName } from '../ui/icons';

const TABS = [
  { to: '/', label: 'Home', icon: 'home' },
  { to: '/search', label: 'Search', icon: 'search' },
  { to: '/cart', label: 'Cart', icon: 'cart' },
  { to: '/orders', label: 'Orders', icon: 'receipt' },
  { to: '/account', label: 'Account', icon: 'user' },
];

function isCurrent(to: string, pathname: string) {
  return to === '/' ? pathname === '/' : pathname.startsWith(to);
}

function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

export function CustomerShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const place = usePlace();
  const { user } = useAuth();
  const { count, cart } = useCart();
  const q = useSearchParam('q') ?? '';
  const [term, setTerm] = useState(q);
  useEffect(() => setTerm(q), [q]);
  const online = useOnline();
  const onCartFlow = pathname.startsWith('/cart') || pathname.startsWith('/checkout');

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {online ? null : (
        <div className="offline-bar" role="status">
          You are offline — showing what was saved on this device.
        </div>
      )}
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="logo" aria-label="Kirana home">
            kirana<span>.</span>
          </Link>
          <button
            type="button"
            className="place-btn"
            onClick={() => navigate('/location')}
            aria-label={
              place ? `Delivering to ${place.label}. Change location` : 'Choose delivery location'
            }
          >
            <strong>
              {(place && promiseText(place, 'short')) ?? (place ? 'Delivery soon' : 'Set location')}
            </strong>
            <span className="subtle">
              {place ? `${place.label} · ${place.store_name}` : 'Tap to choose where to deliver'}
            </span>
          </button>
          <SearchBox term={term} setTerm={setTerm} />
          <nav className="desktop-nav" aria-label="Main">
            {TABS.filter((t) => t.to !== '/search').map((t) => (
              <Link
                key={t.to}
                to={t.to}
                aria-current={isCurrent(t.to, pathname) ? 'page' : undefined}
              >
                {t.to === '/account' && !user ? 'Sign in' : t.label}
                {t.to === '/cart' && count ? <span className="count-dot">{count}</span> : null}
              </Link>
            ))}
          </nav>
        </div>
      </header>
      <main className="page" id="main">
        {children}
      </main>
      <footer className="site-footer">
        <span>Kirana — open-source quick commerce.</span>{' '}
        <span>Product pictures: Noto Emoji by Google, under the Apache License 2.0.</span>
      </footer>
      {count > 0 && !onCartFlow && cart ? (
        <Link
          to="/cart"
          className="cart-bar"
          aria-label={`View cart: ${count} items, ${formatMoney(cart.total, cart.currency)}`}
        >
          <span>
            {count} item{count === 1 ? '' : 's'} · {formatMoney(cart.subtotal, cart.currency)}
          </span>
          <span>View cart ›</span>
        </Link>
      ) : null}
      <nav className="tabbar" aria-label="Main">
        {TABS.map((t) => (
          <Link key={t.to} to={t.to} aria-current={isCurrent(t.to, pathname) ? 'page' : undefined}>
            <span className="ti" aria-hidden>
              <Icon name={t.icon as IconName} size={22} />
            </span>
            {t.to === '/account' && !user ? 'Sign in' : t.label}
            {t.to === '/cart' && count ? <span className="count-dot">{count}</span> : null}
          </Link>
        ))}
      </nav>
    </div>
  );
}
