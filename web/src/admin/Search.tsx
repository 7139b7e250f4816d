/** Search upkeep: the synonym list customers' words are read through, and what they searched. */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';
import type { Res } from '../lib/types';
import { Button, Empty, ErrorBanner, TextField } from '../ui';
import { Form, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';

type Synonym = Res<'/api/v1/admin/search/synonyms', 'get'>[number];
type QueryStat = Res<'/api/v1/admin/search/queries', 'get'>[number];

function useQueryStats(zero: boolean) {
  return useQuery(`admin:search-queries:${zero}`, () =>
    unwrap(
      api.GET('/api/v1/admin/search/queries', {
        params: { query: { days: 7, zero_results: zero, limit: 20 } },
      }),
    ),
  );
}

export function SearchAdmin() {
  const synonyms = useQuery('admin:synonyms', () =>
    unwrap(api.GET('/api/v1/admin/search/synonyms')),
  );
  const top = useQueryStats(false);
  const zero = useQueryStats(true);
  const [draft, setDraft] = useState({ term: '', expansion: '' });
  const [error, setError] = useState<unknown>(null);
  const add = useSubmit(async () => {
    await unwrap(api.POST('/api/v1/admin/search/synonyms', { body: draft }));
    setDraft({ term: '', expansion: '' });
    void synonyms.reload();
  });

  const synonymColumns: Array<Column<Synonym>> = [
    { header: 'Customers type', cell: (s) => <strong>{s.term}</strong> },
    { header: 'Also searches for', cell: (s) => s.expansion },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (s) => (
        <Button
          size="small"
          variant="ghost"
          aria-label={`Delete synonym ${s.term}`}
          onClick={async () => {
            if (!confirm(`Delete the synonym ${s.term}?`)) return;
            try {
              await unwrap(
                api.DELETE('/api/v1/admin/search/synonyms/{synonym_id}', {
                  params: { path: { synonym_id: s.id } },
                }),
              );
              void synonyms.reload();
            } catch (e) {
              setError(e);
            }
          }}
        >
          Delete
        </Button>
      ),
    },
  ];
  const statColumns: Array<Column<QueryStat>> = [
    { header: 'Query', cell: (q) => q.query },
    { header: 'Searches', num: true, cell: (q) => q.searches },
    { header: 'Found nothing', num: true, cell: (q) => q.zero_results },
  ];

  return (
    <>
      <div className="row between wrap page-head">
        <h1>Search</h1>
      </div>
      <p className="subtle">
        Queries are kept as their words only (no customer, no store), for the last 7 days.
      </p>
      <div className="form-grid cols-2">
        <section aria-labelledby="top-h">
          <h2 id="top-h">Top searches</h2>
          <ErrorBanner error={top.error} onRetry={() => void top.reload()} />
          <DataTable
            columns={statColumns}
            rows={top.data ?? []}
            rowKey={(q) => q.query}
            loading={top.loading}
            skeletonHeight={120}
            empty={<Empty icon="search" title="No searches yet" />}
          />
        </section>
        <section aria-labelledby="zero-h">
          <h2 id="zero-h">Searches that found nothing</h2>
          <ErrorBanner error={zero.error} onRetry={() => void zero.reload()} />
          <DataTable
            columns={statColumns}
            rows={zero.data ?? []}
            rowKey={(q) => q.query}
            loading={zero.loading}
            skeletonHeight={120}
            empty={<Empty icon="search" title="Every search found something" />}
          />
        </section>
      </div>
      <h2 style={{ marginTop: 32 }} id="synonyms-h">
        Synonyms
      </h2>
      <p className="subtle">
        A customer's word also searches for its expansion: “atta” finds wheat flour.
      </p>
      <Form form={add} submitLabel="Add synonym" labelledBy="synonyms-h" className="cols-3">
        <TextField
          label="Customers type"
          value={draft.term}
          onChange={(e) => setDraft({ ...draft, term: e.target.value })}
          required
          error={add.fieldError('term')}
        />
        <TextField
          label="Also searches for"
          value={draft.expansion}
          onChange={(e) => setDraft({ ...draft, expansion: e.target.value })}
          required
          error={add.fieldError('expansion')}
        />
      </Form>
      <ErrorBanner error={error ?? synonyms.error} onRetry={() => void synonyms.reload()} />
      <DataTable
        columns={synonymColumns}
        rows={synonyms.data ?? []}
        rowKey={(s) => s.id}
        loading={synonyms.loading}
        skeletonHeight={200}
        empty={<Empty icon="search" title="No synonyms" />}
      />
    </>
  );
}
