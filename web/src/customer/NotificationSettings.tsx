/** Account → Notifications: language, channels, marketing and its quiet hours, push here. */
import { useEffect, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';
import { enablePush, pushSupported } from '../lib/push';
import { Button, ErrorBanner, SelectField, Skeleton, TextField, useToast } from '../ui';
import { Form, useSubmit } from '../ui/form';

type Prefs = {
  language: 'en' | 'hi';
  email: boolean;
  sms: boolean;
  push: boolean;
  marketing: boolean;
  quiet_start: number;
  quiet_end: number;
  available: string[];
};

const CHANNELS = [
  { key: 'email', label: 'Email' },
  { key: 'sms', label: 'SMS' },
  { key: 'push', label: 'Notifications on this device (push)' },
] as const;

export function toClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function fromClock(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function NotificationSettings() {
  const prefs = useQuery('notification-prefs', () =>
    unwrap(api.GET('/api/v1/me/notification-preferences')),
  );
  const [draft, setDraft] = useState<Prefs | null>(null);
  const toast = useToast();
  useEffect(() => {
    if (prefs.data) setDraft(prefs.data as Prefs);
  }, [prefs.data]);
  const form = useSubmit(async () => {
    if (!draft) return;
    const body = {
      language: draft.language,
      email: draft.email,
      sms: draft.sms,
      push: draft.push,
      marketing: draft.marketing,
      quiet_start: draft.quiet_start,
      quiet_end: draft.quiet_end,
    };
    const saved = await unwrap(api.PATCH('/api/v1/me/notification-preferences', { body }));
    prefs.setData(saved);
    toast('Notification settings saved');
  });
  const [pushError, setPushError] = useState<unknown>(null);
  if (prefs.error) return <ErrorBanner error={prefs.error} onRetry={prefs.reload} />;
  if (!draft) return <Skeleton height={220} />;
  const set = <K extends keyof Prefs>(key: K, value: Prefs[K]) =>
    setDraft((d) => (d ? { ...d, [key]: value } : d));
  return (
    <section className="card" aria-labelledby="notify-h">
      <Form
        form={form}
        submitLabel="Save notification settings"
        labelledBy="notify-h"
        head={
          <h2 id="notify-h" style={{ margin: 0 }}>
            Notifications
          </h2>
        }
      >
        <SelectField
          label="Language of messages"
          value={draft.language}
          onChange={(e) => set('language', e.target.value as Prefs['language'])}
        >
          <option value="en">English</option>
          <option value="hi">हिन्दी (Hindi)</option>
        </SelectField>
        <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="subtle">Order updates by</legend>
          {CHANNELS.filter((c) => draft.available.includes(c.key)).map((c) => (
            <label key={c.key} className="row">
              <input
                type="checkbox"
                checked={draft[c.key]}
                onChange={(e) => set(c.key, e.target.checked)}
              />
              {c.label}
            </label>
          ))}
          <span className="subtle">Updates also always reach your inbox here.</span>
        </fieldset>
        <label className="row">
          <input
            type="checkbox"
            checked={draft.marketing}
            onChange={(e) => set('marketing', e.target.checked)}
          />
          Offers and news
        </label>
        {draft.marketing && (
          <div className="row wrap">
            <TextField
              label="Quiet from"
              type="time"
              value={toClock(draft.quiet_start)}
              onChange={(e) => set('quiet_start', fromClock(e.target.value))}
              hint="No offers between these times; order updates still come"
            />
            <TextField
              label="Quiet until"
              type="time"
              value={toClock(draft.quiet_end)}
              onChange={(e) => set('quiet_end', fromClock(e.target.value))}
            />
          </div>
        )}
      </Form>
      {pushSupported() && draft.available.includes('push') && (
        <div className="stack" style={{ marginTop: 12 }}>
          <ErrorBanner error={pushError} />
          <Button
            variant="secondary"
            size="small"
            onClick={() =>
              void enablePush()
                .then((ok) => toast(ok ? 'Notifications are on for this device' : 'Not turned on'))
                .catch(setPushError)
            }
          >
            Turn on notifications on this device
          </Button>
        </div>
      )}
    </section>
  );
}
