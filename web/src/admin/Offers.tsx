/** Offers: an admin writes a title and a text; every customer who turned marketing on gets it in
 * their inbox at once and by email, SMS or push once their quiet hours end. The list shows how
 * far each offer has gone. */
import { useRef, useState } from 'react';
import { api, idempotencyKey, unwrap } from '../lib/api';
import type { Res } from '../lib/types';
import { Empty, TextArea, TextField, useToast } from '../ui';
import { Form, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';
import { usePaged } from './data';

type Campaign = Res<'/api/v1/admin/campaigns', 'get'>['items'][number];
const TITLE_MAX = 80;
const BODY_MAX = 300;

function when(at: string | null | undefined) {
  return at ? new Date(at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' }) : '—';
}

/** How far an offer has gone, in words. */
export function progress(c: Campaign): string {
  if (c.status === 'preparing') return 'Preparing…';
  const d = c.deliveries;
  const waiting = (d.pending ?? 0) + (d.sending ?? 0);
  const people = `${c.recipients ?? 0} customer${c.recipients === 1 ? '' : 's'}`;
  const parts = [`${d.sent ?? 0} sent`];
  if (waiting) parts.push(`${waiting} waiting for quiet hours or sending`);
  if (d.failed) parts.push(`${d.failed} failed`);
  return `${people} · ${parts.join(' · ')}`;
}

export function Offers() {
  const list = usePaged('admin:campaigns', (cursor) =>
    unwrap(api.GET('/api/v1/admin/campaigns', { params: { query: { cursor, limit: 50 } } })),
  );
  const toast = useToast();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  // One key per offer written: a second click (or a retry after a timeout) sends it once.
  const key = useRef(idempotencyKey());
  const send = useSubmit(async () => {
    const sent = await unwrap(
      api.POST('/api/v1/admin/campaigns', {
        body: { title, body },
        params: { header: { 'Idempotency-Key': key.current } },
      }),
    );
    key.current = idempotencyKey();
    setTitle('');
    setBody('');
    toast(`“${sent.title}” is on its way to everyone who wants offers`);
    void list.reload();
  });
  const columns: Array<Column<Campaign>> = [
    { header: 'Sent', cell: (c) => when(c.created_at) },
    {
      header: 'Offer',
      cell: (c) => (
        <div>
          <strong>{c.title}</strong>
          <div className="subtle">{c.body}</div>
        </div>
      ),
    },
    { header: 'Progress', cell: (c) => progress(c) },
  ];
  return (
    <>
      <h1>Offers</h1>
      <p className="subtle">
        An offer goes to every customer who turned on offers in their notification settings: in
        their inbox at once, by email, SMS or push outside their quiet hours.
      </p>
      <Form
        form={send}
        submitLabel="Send offer"
        className="card"
        style={{ maxWidth: 720, marginBottom: 24 }}
        labelledBy="new-offer-h"
        head={
          <h2 id="new-offer-h" style={{ margin: 0 }}>
            New offer
          </h2>
        }
      >
        <TextField
          label="Title"
          value={title}
          maxLength={TITLE_MAX}
          required
          onChange={(e) => setTitle(e.target.value)}
          error={send.fieldError('title')}
          hint={`${title.length}/${TITLE_MAX}`}
        />
        <TextArea
          label="Message"
          value={body}
          maxLength={BODY_MAX}
          rows={3}
          required
          onChange={(e) => setBody(e.target.value)}
          error={send.fieldError('body')}
          hint={`${body.length}/${BODY_MAX} · SMS carries this text`}
        />
      </Form>
      <DataTable
        columns={columns}
        rows={list.rows}
        rowKey={(c) => c.id}
        loading={list.loading}
        empty={<Empty icon="box" title="No offers sent yet" />}
        more={list.more}
      />
    </>
  );
}
