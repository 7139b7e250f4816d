import { useState } from 'react';
import { Icon } from '../ui/icons';
import { api, unwrap } from '../lib/api';
import { hasRole, useAuth } from '../lib/auth';
import { usePlace } from '../lib/place';
import { ApiError } from '../lib/problem';
import { useQuery } from '../lib/query';
import { Link, navigate } from '../lib/router';
import type { Address } from '../lib/types';
import { Button, Empty, ErrorBanner, Skeleton, TextField, useToast } from '../ui';
import { AddressForm } from './AddressForm';
import { Inbox } from './Inbox';
import { NotificationSettings } from './NotificationSettings';

function Profile() {
  const { user, refreshUser } = useAuth();
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const fe = (f: string) => (error instanceof ApiError ? error.fieldMessage(f) : undefined);
  return (
    <form
      className="card form-grid"
      aria-labelledby="profile-h"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await unwrap(api.PATCH('/api/v1/me', { body: { name, email: email || null } }));
          await refreshUser();
          toast('Profile saved');
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="profile-h" style={{ margin: 0 }}>
        Profile
      </h2>
      <ErrorBanner error={error} />
      <TextField label="Phone" value={user?.phone ?? ''} readOnly disabled />
      <TextField
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        error={fe('name')}
        autoComplete="name"
      />
      <TextField
        label="Email (optional)"
        type="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={fe('email')}
        autoComplete="email"
      />
      <div>
        <Button type="submit" busy={busy}>
          Save profile
        </Button>
      </div>
    </form>
  );
}

function Addresses() {
  const place = usePlace();
  const addresses = useQuery('addresses', () => unwrap(api.GET('/api/v1/me/addresses')));
  const [editing, setEditing] = useState<Address | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const list = (addresses.data?.items ?? []) as Address[];
  return (
    <section className="card stack" aria-labelledby="addresses-h">
      <div className="row between">
        <h2 id="addresses-h" style={{ margin: 0 }}>
          Addresses
        </h2>
        {editing === null ? (
          <Button variant="secondary" size="small" onClick={() => setEditing('new')}>
            + Add
          </Button>
        ) : null}
      </div>
      <ErrorBanner error={addresses.error ?? error} />
      {addresses.loading ? <Skeleton height={60} /> : null}
      {editing ? (
        <AddressForm
          initial={
            editing === 'new'
              ? { lat: place?.lat, lng: place?.lng }
              : { ...editing, instructions: editing.instructions ?? '' }
          }
          addressId={editing === 'new' ? undefined : editing.id}
          onSaved={() => {
            setEditing(null);
            void addresses.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {list.map((a) => (
        <div className="line" key={a.id}>
          <Icon name="pin" />
          <div className="grow">
            <strong>{a.label}</strong>
            <div className="subtle">
              {a.line1}, {a.city} {a.pincode}
            </div>
          </div>
          <Button
            variant="ghost"
            size="small"
            onClick={() => setEditing(a)}
            aria-label={`Edit ${a.label}`}
          >
            Edit
          </Button>
          <Button
            variant="ghost"
            size="small"
            aria-label={`Delete ${a.label}`}
            onClick={async () => {
              setError(null);
              try {
                await unwrap(
                  api.DELETE('/api/v1/me/addresses/{address_id}', {
                    params: { path: { address_id: a.id } },
                  }),
                );
                void addresses.reload();
              } catch (e) {
                setError(e);
              }
            }}
          >
            Delete
          </Button>
        </div>
      ))}
      {!addresses.loading && !list.length && editing === null ? (
        <p className="muted">No saved addresses yet.</p>
      ) : null}
    </section>
  );
}

export function AccountPage() {
  const { user, loading, logout } = useAuth();
  if (loading) return <Skeleton height={300} />;
  if (!user) {
    return (
      <Empty icon="user" title="Welcome to Kirana">
        <p>Sign in to order, track deliveries and save addresses.</p>
        <div className="row" style={{ justifyContent: 'center' }}>
          <Button onClick={() => navigate('/login?next=/account')}>Sign in</Button>
          <Button variant="secondary" onClick={() => navigate('/register')}>
            Create account
          </Button>
        </div>
      </Empty>
    );
  }
  const staff = [
    hasRole(user, 'store_staff') || hasRole(user, 'admin')
      ? { to: '/store', label: 'Store queue' }
      : null,
    hasRole(user, 'rider') ? { to: '/rider', label: 'Rider app' } : null,
    hasRole(user, 'admin') ? { to: '/admin', label: 'Admin panel' } : null,
  ].filter(Boolean) as Array<{ to: string; label: string }>;
  return (
    <div className="stack" style={{ maxWidth: 760 }}>
      <h1>Hi, {user.name}</h1>
      {staff.length ? (
        <nav className="card row wrap" aria-label="Staff screens">
          {staff.map((s) => (
            <Link key={s.to} to={s.to} className="btn secondary small">
              {s.label}
            </Link>
          ))}
        </nav>
      ) : null}
      <Inbox />
      <Profile />
      <NotificationSettings />
      <Addresses />
      <div>
        <Button variant="ghost" onClick={() => void logout().then(() => navigate('/'))}>
          Sign out
        </Button>
      </div>
    </div>
  );
}
