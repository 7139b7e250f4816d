import type { ReactNode } from 'react';
import { useAuth } from '../lib/auth';
import { Link, navigate } from '../lib/router';
import { Button } from '../ui';

/** The dark top bar shared by the store, rider and admin screens. */
export function StaffTop({ title, children }: { title: string; children?: ReactNode }) {
  const { user, logout } = useAuth();
  return (
    <header className="staff-top">
      <Link to="/" className="logo" aria-label="Kirana customer app">
        kirana<span>.</span>
      </Link>
      <span style={{ fontWeight: 700 }}>{title}</span>
      <div className="grow" />
      {children}
      <span className="staff-user">{user?.name}</span>
      <Button
        variant="ghost"
        size="small"
        onClick={() => void logout().then(() => navigate('/login'))}
      >
        Sign out
      </Button>
    </header>
  );
}

export function minutesSince(at: string | null | undefined, now = Date.now()): number | null {
  if (!at) return null;
  const t = new Date(at).getTime();
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.floor((now - t) / 60000));
}
