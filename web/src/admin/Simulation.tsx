/** The last city simulation's report (`kirana simulate`), as the command wrote it: a page of
 * its own, shown in a sandboxed frame (inline SVG, no scripts). */
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';
import { Empty, ErrorBanner, Skeleton } from '../ui';
import { ApiError } from '../lib/problem';

export function Simulation() {
  const report = useQuery('admin:simulation:latest', () =>
    unwrap(api.GET('/api/v1/admin/simulations/latest')),
  );
  const missing = report.error instanceof ApiError && report.error.status === 404;
  return (
    <>
      <h1>City simulation</h1>
      <p className="subtle">
        The last report of <code>kirana simulate</code>: the real services on a virtual clock, with
        customers ordering as Instacart&apos;s did.
      </p>
      {missing ? (
        <Empty title="No simulation yet">
          Run <code>kirana simulate</code> on the server; its report shows here.
        </Empty>
      ) : (
        <ErrorBanner error={report.error} onRetry={() => void report.reload()} />
      )}
      {report.loading && !report.data ? <Skeleton height={240} /> : null}
      {report.data ? (
        <>
          <p className="subtle" data-testid="simulation-name">
            {report.data.name} · {new Date(report.data.finished_at).toLocaleString()}
          </p>
          <iframe
            title="Simulation report"
            sandbox=""
            srcDoc={report.data.html}
            style={{ width: '100%', height: '80vh', border: '1px solid var(--line, #ddd)' }}
          />
        </>
      ) : null}
    </>
  );
}
