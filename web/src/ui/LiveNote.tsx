import type { LiveStatus } from '../lib/live';

/** Says whether the screen is updating live or polling because its socket is down. */
export function LiveNote({ status, pollSeconds }: { status: LiveStatus; pollSeconds: number }) {
  if (status === 'live')
    return (
      <span className="subtle" role="status" data-testid="live-status" data-live="on">
        ● Live
      </span>
    );
  if (status === 'connecting')
    return (
      <span className="subtle" role="status" data-testid="live-status" data-live="connecting">
        Connecting…
      </span>
    );
  return (
    <span className="subtle" role="status" data-testid="live-status" data-live="off">
      Live updates are off — refreshing every {pollSeconds} s
    </span>
  );
}
