import { Link, useLocation } from '../lib/router';
import { StaffTop } from '../staff/StaffTop';
import { Cash } from './Cash';
import { Catalog } from './Catalog';
import { Dashboard } from './Dashboard';
import { DeliveryPromise } from './DeliveryPromise';
import { Fleet } from './Fleet';
import { OrdersBoard } from './Orders';
import { CityMap, Riders } from './Riders';
import { Team } from './Team';
import { Stock } from './Stock';
import { Stores } from './Stores';
import { Pricing } from './Pricing';
import { Refunds } from './Refunds';
import { SearchAdmin } from './Search';
import { Notifications } from './Notifications';
import { Offers } from './Offers';
import { Simulation } from './Simulation';

const SECTIONS = [
  { to: '/admin', label: 'Dashboard', render: () => <Dashboard /> },
  { to: '/admin/orders', label: 'Orders', render: () => <OrdersBoard /> },
  { to: '/admin/promise', label: 'Delivery promise', render: () => <DeliveryPromise /> },
  { to: '/admin/catalog', label: 'Catalog', render: () => <Catalog /> },
  { to: '/admin/stock', label: 'Stock & prices', render: () => <Stock /> },
  { to: '/admin/stores', label: 'Stores', render: () => <Stores /> },
  { to: '/admin/riders', label: 'Riders', render: () => <Riders /> },
  { to: '/admin/team', label: 'Team', render: () => <Team /> },
  { to: '/admin/fleet', label: 'Fleet', render: () => <Fleet /> },
  { to: '/admin/cash', label: 'Cash', render: () => <Cash /> },
  { to: '/admin/refunds', label: 'Refunds', render: () => <Refunds /> },
  { to: '/admin/map', label: 'City map', render: () => <CityMap /> },
  { to: '/admin/pricing', label: 'Coupons & fees', render: () => <Pricing /> },
  { to: '/admin/search', label: 'Search', render: () => <SearchAdmin /> },
  { to: '/admin/notifications', label: 'Notifications', render: () => <Notifications /> },
  { to: '/admin/offers', label: 'Offers', render: () => <Offers /> },
  { to: '/admin/simulation', label: 'Simulation', render: () => <Simulation /> },
];

export default function AdminApp() {
  const { pathname } = useLocation();
  const section =
    SECTIONS.find((s) => s.to === pathname) ??
    SECTIONS.find((s) => s.to !== '/admin' && pathname.startsWith(s.to)) ??
    SECTIONS[0]!;
  return (
    <div className="staff-shell">
      <StaffTop title="Admin" />
      <div className="admin-layout">
        <nav className="admin-nav" aria-label="Admin sections">
          {SECTIONS.map((s) => (
            <Link key={s.to} to={s.to} aria-current={s === section ? 'page' : undefined}>
              {s.label}
            </Link>
          ))}
          <Link to="/store">Store queue</Link>
        </nav>
        <main className="admin-main" id="main">
          {section.render()}
        </main>
      </div>
    </div>
  );
}
