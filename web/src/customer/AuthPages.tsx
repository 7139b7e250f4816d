import { useState } from 'react';
import { homeFor, useAuth } from '../lib/auth';
import { market } from '../lib/market';
import { ApiError } from '../lib/problem';
import { Link, navigate, useSearchParam } from '../lib/router';
import { Button, ErrorBanner, TextField } from '../ui';

function nextFor(next: string | null, fallback: string) {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}

export function LoginPage() {
  const { login } = useAuth();
  const next = useSearchParam('next');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="auth-wrap">
      <form
        className="card form-grid"
        aria-labelledby="login-h"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const me = await login(phone.trim(), password);
            navigate(nextFor(next, homeFor(me)), { replace: true });
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1 id="login-h">Sign in</h1>
        <ErrorBanner error={error} />
        <TextField
          label="Phone number"
          type="tel"
          autoComplete="tel"
          placeholder={market.phoneExample}
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          required
          error={error instanceof ApiError ? error.fieldMessage('phone') : undefined}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          error={error instanceof ApiError ? error.fieldMessage('password') : undefined}
        />
        <Button type="submit" size="big" block busy={busy}>
          Sign in
        </Button>
        <p className="subtle" style={{ margin: 0 }}>
          New here?{' '}
          <Link to={`/register${next ? `?next=${encodeURIComponent(next)}` : ''}`}>
            Create an account
          </Link>
        </p>
      </form>
    </div>
  );
}

export function RegisterPage() {
  const { register } = useAuth();
  const next = useSearchParam('next');
  const [form, setForm] = useState({ name: '', phone: '', email: '', password: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fe = (f: string) => (error instanceof ApiError ? error.fieldMessage(f) : undefined);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <div className="auth-wrap">
      <form
        className="card form-grid"
        aria-labelledby="reg-h"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const me = await register({ ...form, phone: form.phone.trim() });
            navigate(nextFor(next, homeFor(me)), { replace: true });
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1 id="reg-h">Create your account</h1>
        <ErrorBanner error={error} />
        <TextField
          label="Full name"
          autoComplete="name"
          value={form.name}
          onChange={set('name')}
          required
          error={fe('name')}
        />
        <TextField
          label="Phone number"
          type="tel"
          autoComplete="tel"
          placeholder={market.phoneExample}
          value={form.phone}
          onChange={set('phone')}
          required
          error={fe('phone')}
          hint={`With the country code, e.g. ${market.phoneExample}`}
        />
        <TextField
          label="Email (optional)"
          type="email"
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          error={fe('email')}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          minLength={8}
          value={form.password}
          onChange={set('password')}
          required
          error={fe('password')}
          hint="At least 8 characters"
        />
        <Button type="submit" size="big" block busy={busy}>
          Create account
        </Button>
        <p className="subtle" style={{ margin: 0 }}>
          Already have an account?{' '}
          <Link to={`/login${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Sign in</Link>
        </p>
      </form>
    </div>
  );
}
