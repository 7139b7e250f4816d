import { useState } from 'react';
import { homeFor, useAuth } from '../lib/auth';
import { market } from '../lib/market';
import { Link, navigate, useSearchParam } from '../lib/router';
import { Button, ErrorBanner, TextField } from '../ui';
import { useSubmit } from '../ui/form';

function nextFor(next: string | null, fallback: string) {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}

export function LoginPage() {
  const [withCode, setWithCode] = useState(false);
  return (
    <div className="auth-wrap">
      {withCode ? <CodeLogin /> : <PasswordLogin />}
      <p className="subtle" style={{ textAlign: 'center' }}>
        <Button variant="ghost" size="small" onClick={() => setWithCode((c) => !c)}>
          {withCode ? 'Sign in with your password instead' : 'Sign in with a code by SMS instead'}
        </Button>
      </p>
    </div>
  );
}

/** The phone number, as every sign-in form asks for it. */
function PhoneField({
  value,
  onChange,
  error,
  withHint,
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  withHint?: boolean;
}) {
  return (
    <TextField
      label="Phone number"
      type="tel"
      autoComplete="tel"
      placeholder={market.phoneExample}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      required
      error={error}
      hint={withHint ? `With the country code, e.g. ${market.phoneExample}` : undefined}
    />
  );
}

function NewHere() {
  const next = useSearchParam('next');
  return (
    <p className="subtle" style={{ margin: 0 }}>
      New here?{' '}
      <Link to={`/register${next ? `?next=${encodeURIComponent(next)}` : ''}`}>
        Create an account
      </Link>
    </p>
  );
}

function PasswordLogin() {
  const { login } = useAuth();
  const next = useSearchParam('next');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const form = useSubmit(async () => {
    const me = await login(phone.trim(), password);
    navigate(nextFor(next, homeFor(me)), { replace: true });
  });
  const { error, busy } = form;
  return (
    <form
      className="card form-grid"
      aria-labelledby="login-h"
      onSubmit={(e) => void form.submit(e)}
    >
      <h1 id="login-h">Sign in</h1>
      <ErrorBanner error={error} />
      <PhoneField value={phone} onChange={setPhone} error={form.fieldError('phone')} />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
        error={form.fieldError('password')}
      />
      <Button type="submit" size="big" block busy={busy}>
        Sign in
      </Button>
      <NewHere />
    </form>
  );
}

/** Phone, then the code sent to it by SMS; a phone new to us gets an account. */
function CodeLogin() {
  const { requestCode, loginWithCode } = useAuth();
  const next = useSearchParam('next');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sentFor, setSentFor] = useState<{ phone: string; minutes: number } | null>(null);
  const sending = useSubmit(async () => {
    const seconds = await requestCode(phone.trim());
    setSentFor({ phone: phone.trim(), minutes: Math.max(1, Math.round(seconds / 60)) });
    setCode('');
  });
  const verifying = useSubmit(async () => {
    if (!sentFor) return;
    const me = await loginWithCode(sentFor.phone, code.trim());
    navigate(nextFor(next, homeFor(me)), { replace: true });
  });
  const error = verifying.error ?? sending.error;
  const busy = sending.busy || verifying.busy;
  const fe = (f: string) => verifying.fieldError(f) ?? sending.fieldError(f);
  const send = () => {
    verifying.setError(null);
    return sending.submit();
  };
  return (
    <form
      className="card form-grid"
      aria-labelledby="code-h"
      onSubmit={(e) => {
        e.preventDefault();
        if (!sentFor) return void send();
        sending.setError(null);
        void verifying.submit();
      }}
    >
      <h1 id="code-h">Sign in with a code</h1>
      <ErrorBanner error={error} />
      <PhoneField
        value={phone}
        onChange={(value) => {
          setPhone(value);
          setSentFor(null);
        }}
        error={fe('phone')}
        withHint
      />
      {sentFor && (
        <>
          <p className="subtle" role="status" style={{ margin: 0 }}>
            We sent a 6-digit code to {sentFor.phone}. It works for {sentFor.minutes} min.
          </p>
          <TextField
            label="Code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            required
            autoFocus
            error={fe('code')}
          />
        </>
      )}
      <Button type="submit" size="big" block busy={busy}>
        {sentFor ? 'Sign in' : 'Send code'}
      </Button>
      {sentFor && (
        <Button type="button" variant="ghost" onClick={() => void send()} disabled={busy}>
          Send a new code
        </Button>
      )}
      <p className="subtle" style={{ margin: 0 }}>
        A phone number we have not seen yet gets a new account.
      </p>
    </form>
  );
}

export function RegisterPage() {
  const { register } = useAuth();
  const next = useSearchParam('next');
  const [form, setForm] = useState({ name: '', phone: '', email: '', password: '' });
  const submit = useSubmit(async () => {
    const me = await register({ ...form, phone: form.phone.trim() });
    navigate(nextFor(next, homeFor(me)), { replace: true });
  });
  const { error, busy } = submit;
  const fe = submit.fieldError;
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <div className="auth-wrap">
      <form
        className="card form-grid"
        aria-labelledby="reg-h"
        onSubmit={(e) => void submit.submit(e)}
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
        <PhoneField
          value={form.phone}
          onChange={(phone) => setForm((f) => ({ ...f, phone }))}
          error={fe('phone')}
          withHint
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
