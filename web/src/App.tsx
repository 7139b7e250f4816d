import { lazy, Suspense, type ReactNode } from 'react';
import { AuthProvider, hasRole, homeFor, useAuth, type Role } from './lib/auth';
import { matchPath, navigate, useLocation } from './lib/router';
import { Button, Empty, Spinner, ToastProvider } from './ui';
import { CustomerShell } from './customer/Shell';
import { HomePage } from './customer/HomePage';
import { LocationPage } from './customer/LocationPage';
import { CategoryPage } from './customer/CategoryPage';
import { ProductPage } from './customer/ProductPage';
import { SearchPage } from './customer/SearchPage';
import { CartPage } from './customer/CartPage';
import { CheckoutPage } from './customer/CheckoutPage';
import { OrderPage } from './customer/OrderPage';
import { OrdersPage } from './customer/OrdersPage';
import { ReceiptPage } from './customer/ReceiptPage';
import { AccountPage } from './customer/AccountPage';
import { LoginPage, RegisterPage } from './customer/AuthPages';

// Staff screens are separate chunks: customers never download them.
const StoreApp = lazy(() => import('./store/StoreApp'));
const RiderApp = lazy(() => import('./rider/RiderApp'));
const AdminApp = lazy(() => import('./admin/AdminApp'));

type Render = (params: Record<string, string>) => ReactNode;
const CUSTOMER_ROUTES: Array<[string, Render]> = [
  ['/', () => <HomePage />],
  ['/location', () => <LocationPage />],
  ['/c/:id', (p) => <CategoryPage id={p.id!} key={p.id} />],
  ['/p/:id', (p) => <ProductPage id={p.id!} key={p.id} />],
  ['/search', () => <SearchPage />],
  ['/cart', () => <CartPage />],
  ['/checkout', () => <CheckoutPage />],
  ['/orders', () => <OrdersPage />],
  ['/orders/:id', (p) => <OrderPage id={p.id!} key={p.id} />],
  ['/orders/:id/receipt', (p) => <ReceiptPage id={p.id!} key={p.id} />],
  ['/account', () => <AccountPage />],
  ['/login', () => <LoginPage />],
  ['/register', () => <RegisterPage />],
];

function RoleGate({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { user, loading } = useAuth();
  const { pathname } = useLocation();
  if (loading) return <Spinner />;
  if (!user) {
    navigate(`/login?next=${encodeURIComponent(pathname)}`, { replace: true });
    return null;
  }
  if (!roles.some((r) => hasRole(user, r))) {
    return (
      <Empty icon="lock" title="This screen is for staff">
        <p>Your account does not have access here.</p>
        <Button onClick={() => navigate(homeFor(user))}>Go to my screens</Button>
      </Empty>
    );
  }
  return <Suspense fallback={<Spinner />}>{children}</Suspense>;
}

export function Routes() {
  const { pathname } = useLocation();
  if (pathname === '/store' || pathname.startsWith('/store/')) {
    return (
      <RoleGate roles={['store_staff', 'admin']}>
        <StoreApp />
      </RoleGate>
    );
  }
  if (pathname === '/rider' || pathname.startsWith('/rider/')) {
    return (
      <RoleGate roles={['rider']}>
        <RiderApp />
      </RoleGate>
    );
  }
  if (pathname === '/admin' || pathname.startsWith('/admin/')) {
    return (
      <RoleGate roles={['admin']}>
        <AdminApp />
      </RoleGate>
    );
  }
  for (const [pattern, render] of CUSTOMER_ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) return <CustomerShell>{render(params)}</CustomerShell>;
  }
  return (
    <CustomerShell>
      <Empty icon="compass" title="Page not found">
        <Button onClick={() => navigate('/')}>Go home</Button>
      </Empty>
    </CustomerShell>
  );
}

export function App() {
  return (
    <AuthProvider>
      <ToastProvider>
        <Routes />
      </ToastProvider>
    </AuthProvider>
  );
}
