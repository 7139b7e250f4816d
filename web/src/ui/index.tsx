/** The design system's React parts; styles live in styles.css. */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type CSSProperties,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { ApiError, errorMessage } from '../lib/problem';
import { formatMoney } from '../lib/money';
import { statusLabel } from '../lib/labels';
import type { OrderStatus } from '../lib/types';
import { Icon, type IconName } from './icons';

export function Button({
  variant,
  size,
  block,
  busy,
  children,
  className,
  disabled,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'secondary' | 'ghost' | 'danger';
  size?: 'small' | 'big';
  block?: boolean;
  busy?: boolean;
}) {
  const classes = ['btn', variant, size, block ? 'block' : '', className].filter(Boolean).join(' ');
  return (
    <button
      type="button"
      className={classes}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? (
        <span className="spinner" style={{ width: 16, height: 16, borderWidth: 2 }} aria-hidden />
      ) : null}
      {children}
    </button>
  );
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string;
}

export function TextField({
  label,
  error,
  hint,
  id,
  ...rest
}: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className="field" data-invalid={error ? 'true' : undefined}>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${inputId}-err` : hint ? `${inputId}-hint` : undefined}
        {...rest}
      />
      {error ? (
        <span className="field-error" id={`${inputId}-err`}>
          {error}
        </span>
      ) : hint ? (
        <span className="field-hint" id={`${inputId}-hint`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

export function TextArea({
  label,
  error,
  hint,
  id,
  ...rest
}: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className="field" data-invalid={error ? 'true' : undefined}>
      <label htmlFor={inputId}>{label}</label>
      <textarea id={inputId} aria-invalid={error ? true : undefined} {...rest} />
      {error ? (
        <span className="field-error">{error}</span>
      ) : hint ? (
        <span className="field-hint">{hint}</span>
      ) : null}
    </div>
  );
}

export function SelectField({
  label,
  error,
  id,
  children,
  ...rest
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className="field" data-invalid={error ? 'true' : undefined}>
      <label htmlFor={inputId}>{label}</label>
      <select id={inputId} {...rest}>
        {children}
      </select>
      {error ? <span className="field-error">{error}</span> : null}
    </div>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="center" role="status">
      <span className="spinner" aria-hidden />
      <span className="sr-only">{label}</span>
    </div>
  );
}

export function Skeleton({
  height = 16,
  width = '100%',
  style,
}: {
  height?: number | string;
  width?: number | string;
  style?: CSSProperties;
}) {
  return <div className="skeleton" style={{ height, width, ...style }} aria-hidden />;
}

export function Empty({
  icon = 'bag',
  title,
  children,
}: {
  icon?: IconName;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="empty">
      <div className="empty-icon" aria-hidden>
        <Icon name={icon} size={44} />
      </div>
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** Shows a problem's detail and its field errors, with an optional retry. */
export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const fieldErrors = error instanceof ApiError ? error.fieldErrors : [];
  const offline = error instanceof ApiError && error.status === 0;
  return (
    <div className={`banner ${offline ? 'warn' : 'error'}`} role="alert">
      <div className="grow">
        <strong>{errorMessage(error)}</strong>
        {fieldErrors.length ? (
          <ul>
            {fieldErrors.map((e, i) => (
              <li key={i}>
                {prettyField(e.field)}: {e.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {onRetry ? (
        <Button variant="ghost" size="small" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}

function prettyField(field: string): string {
  const last = String(field).split(/[.,]/).pop() ?? field;
  return last.replace(/_/g, ' ');
}

export function Money({
  value,
  currency,
}: {
  value: number | null | undefined;
  currency?: string;
}) {
  return <span className="num">{formatMoney(value, currency)}</span>;
}

export function Stepper({
  value,
  onChange,
  max,
  label,
  busy,
}: {
  value: number;
  onChange: (next: number) => void;
  max?: number;
  label: string;
  busy?: boolean;
}) {
  return (
    <div className="stepper" role="group" aria-label={`Quantity of ${label}`}>
      <button
        type="button"
        aria-label={`Remove one ${label}`}
        onClick={() => onChange(value - 1)}
        disabled={busy}
      >
        −
      </button>
      <output aria-live="polite">{value}</output>
      <button
        type="button"
        aria-label={`Add one more ${label}`}
        onClick={() => onChange(value + 1)}
        disabled={busy || (max !== undefined && value >= max)}
      >
        +
      </button>
    </div>
  );
}

export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref}>
        <div className="row between">
          <h2 id={titleId} style={{ margin: 0 }}>
            {title}
          </h2>
          <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <div style={{ marginTop: 16 }}>{children}</div>
      </div>
    </div>
  );
}

const ToastContext = createContext<(message: string) => void>(() => undefined);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Array<{ id: number; message: string }>>([]);
  const show = useCallback((message: string) => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t, { id, message }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 3500);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toast-region" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div className="toast" key={t.id}>
            {t.message}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): (message: string) => void {
  return useContext(ToastContext);
}

export function StatusBadge({ status }: { status: OrderStatus }) {
  const color =
    status === 'delivered'
      ? 'green'
      : status === 'cancelled'
        ? 'red'
        : status === 'pending_payment'
          ? 'yellow'
          : 'blue';
  return <span className={`badge ${color}`}>{statusLabel(status)}</span>;
}

/** The demo catalog's pictures are illustrations (shown whole, on a tint); uploads are photos. */
export function isIllustration(url: string | null | undefined): boolean {
  return !!url && url.startsWith('/media/art/');
}

/** A stand-in picture for a product or category without an image: initials on a colour stable per name. */
export function artFor(name: string): { initials: string; bg: string; fg: string } {
  const words = name
    .replace(/[^\p{L}\p{N} ]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const initials = ((words[0]?.[0] ?? '?') + (words[1]?.[0] ?? '')).toUpperCase();
  const palette: Array<[string, string]> = [
    ['#e3f4e8', '#0b7a32'],
    ['#fff1cc', '#8a5a00'],
    ['#e4edfb', '#1e5bb8'],
    ['#fde6ea', '#b3261e'],
    ['#efe7fb', '#6b3fb8'],
    ['#dff5f3', '#0f766e'],
  ];
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const [bg, fg] = palette[h % palette.length]!;
  return { initials, bg, fg };
}
