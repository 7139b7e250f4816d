/**
 * Live channels (docs/live.md): one WebSocket per screen, authenticated with a first frame,
 * resumed with the last event id after a drop, kept alive with pings, and given a fresh token
 * before the old one expires. While the socket is down the screen polls (the hook says so).
 */
import { useEffect, useRef, useState } from 'react';
import { refreshAccessToken } from './api';
import { getTokens, onTokensChange } from './tokens';

export interface LiveMessage {
  type: string;
  data: Record<string, unknown>;
  at: string;
  id: string | null;
}

/** `connecting` at first, `live` once the server said hello, `down` while reconnecting,
 * `refused` when the server will never let this user in (4403/4404: stop trying). */
export type LiveStatus = 'connecting' | 'live' | 'down' | 'refused';

const REFUSED = new Set([4403, 4404, 4400]);
const SEEN = 512;

export function liveUrl(path: string, origin: Location | URL = location): string {
  const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${origin.host}${path}`;
}

/** The seconds until a JWT's `exp`, or null if it cannot be read. */
export function secondsLeft(token: string, now = Date.now()): number | null {
  try {
    const part = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
    const body = JSON.parse(atob(part)) as {
      exp?: number;
    };
    return typeof body.exp === 'number' ? body.exp - now / 1000 : null;
  } catch {
    return null;
  }
}

/** Remembers the ids seen, so a message delivered twice (at least once) is handled once. */
export class SeenIds {
  private ids: string[] = [];
  private set = new Set<string>();
  last: string | null = null;
  first(id: string | null): boolean {
    if (!id) return true;
    if (this.set.has(id)) return false;
    this.set.add(id);
    this.ids.push(id);
    this.last = id;
    if (this.ids.length > SEEN) this.set.delete(this.ids.shift() as string);
    return true;
  }
}

export function useLive(
  path: string | null,
  onMessage: (message: LiveMessage) => void,
  options: { socket?: (url: string) => WebSocket } = {},
): { status: LiveStatus; send: (frame: object) => boolean } {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const socketRef = useRef<WebSocket | null>(null);
  const make = options.socket ?? ((url: string) => new WebSocket(url));
  const makeRef = useRef(make);
  makeRef.current = make;

  useEffect(() => {
    if (!path) return undefined;
    let stopped = false;
    let retry = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pinger: ReturnType<typeof setInterval> | undefined;
    const seen = new SeenIds();

    const connect = () => {
      if (stopped) return;
      const tokens = getTokens();
      if (!tokens) {
        setStatus('refused');
        return;
      }
      const ws = makeRef.current(liveUrl(path));
      socketRef.current = ws;
      ws.onopen = () => {
        ws.send(JSON.stringify({ type: 'auth', token: tokens.access_token, last_id: seen.last }));
      };
      ws.onmessage = (event) => {
        let message: LiveMessage;
        try {
          message = JSON.parse(String(event.data)) as LiveMessage;
        } catch {
          return;
        }
        if (message.type === 'hello') {
          retry = 0;
          setStatus('live');
          const every = Number(message.data.heartbeat_seconds ?? 15) * 1000;
          clearInterval(pinger);
          pinger = setInterval(() => {
            if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
            // A fresh token before this one runs out; the server closes at expiry otherwise.
            const current = getTokens();
            const left = current ? secondsLeft(current.access_token) : null;
            if (left !== null && left < 60) void refreshAccessToken();
          }, every);
          return;
        }
        if (message.type === 'ping') {
          ws.send('{"type":"pong"}');
          return;
        }
        if (!seen.first(message.id)) return;
        handler.current(message);
      };
      ws.onclose = (event) => {
        clearInterval(pinger);
        if (socketRef.current === ws) socketRef.current = null;
        if (stopped) return;
        if (REFUSED.has(event.code)) {
          setStatus('refused');
          return;
        }
        setStatus('down');
        const again = () => {
          retry = Math.min(retry + 1, 5);
          timer = setTimeout(connect, 500 * 2 ** (retry - 1));
        };
        if (event.code === 4401) void refreshAccessToken().finally(again);
        else again();
      };
    };
    // A token refreshed elsewhere (any API call) is handed to the open socket at once.
    const unsubscribe = onTokensChange((tokens) => {
      const ws = socketRef.current;
      if (tokens && ws && ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ type: 'auth', token: tokens.access_token }));
    });
    setStatus('connecting');
    connect();
    return () => {
      stopped = true;
      unsubscribe();
      clearTimeout(timer);
      clearInterval(pinger);
      socketRef.current?.close(1000);
      socketRef.current = null;
    };
  }, [path]);

  const send = (frame: object) => {
    const ws = socketRef.current;
    if (!ws || ws.readyState !== WebSocket.OPEN || status !== 'live') return false;
    ws.send(JSON.stringify(frame));
    return true;
  };
  return { status, send };
}
