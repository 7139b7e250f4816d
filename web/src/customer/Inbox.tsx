import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';
import { Link } from '../lib/router';
import { Button, ErrorBanner, Skeleton } from '../ui';

/** The in-app notification inbox (order updates, rider assigned, ...). */
export function Inbox() {
  const inbox = useQuery(
    'notifications',
    () => unwrap(api.GET('/api/v1/me/notifications', { params: { query: { limit: 20 } } })),
    { pollMs: 30000 },
  );
  const items = inbox.data?.items ?? [];
  const unread = items.filter((n) => !n.read_at).length;
  return (
    <section className="card stack" aria-labelledby="inbox-h">
      <div className="row between">
        <h2 id="inbox-h" style={{ margin: 0 }}>
          Updates {unread ? <span className="badge green">{unread} new</span> : null}
        </h2>
      </div>
      <ErrorBanner error={inbox.error} />
      {inbox.loading ? <Skeleton height={60} /> : null}
      {!inbox.loading && !items.length ? <p className="muted">Nothing new yet.</p> : null}
      {items.map((n) => {
        const orderId = typeof n.data?.order_id === 'string' ? n.data.order_id : null;
        return (
          <div className="line" key={n.id} style={{ alignItems: 'flex-start' }}>
            <div className="grow">
              <strong style={{ fontWeight: n.read_at ? 500 : 800 }}>{n.title}</strong>
              <div className="muted">{n.body}</div>
              <div className="subtle">
                {new Date(n.created_at).toLocaleString()}
                {orderId ? (
                  <>
                    {' · '}
                    <Link to={`/orders/${orderId}`}>View order</Link>
                  </>
                ) : null}
              </div>
            </div>
            {!n.read_at ? (
              <Button
                variant="ghost"
                size="small"
                aria-label={`Mark “${n.title}” as read`}
                onClick={async () => {
                  await unwrap(
                    api.POST('/api/v1/me/notifications/{notification_id}/read', {
                      params: { path: { notification_id: n.id } },
                    }),
                  ).catch(() => undefined);
                  void inbox.reload();
                }}
              >
                Mark read
              </Button>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}
