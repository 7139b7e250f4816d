import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { SeenIds, liveUrl, secondsLeft, useLive, type LiveMessage } from './live';
import { setTokens } from './tokens';
import { LiveNote } from '../ui/LiveNote';

/** A WebSocket the test drives: what the page sent, and the server's side of it. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  frame(type: string, data: object = {}, id: string | null = null) {
    this.onmessage?.({ data: JSON.stringify({ type, data, at: '', id }) });
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function Probe({ onMessage }: { onMessage: (m: LiveMessage) => void }) {
  const live = useLive('/ws/orders/o1', onMessage, {
    socket: (url) => new FakeSocket(url) as unknown as WebSocket,
  });
  return <LiveNote status={live.status} pollSeconds={4} />;
}

afterEach(() => {
  FakeSocket.all = [];
  setTokens(null);
  vi.useRealTimers();
});

describe('live channels', () => {
  it('authenticates in the first frame, goes live, answers pings and skips repeats', async () => {
    vi.stubGlobal('WebSocket', { OPEN: 1 });
    setTokens({ access_token: 'a.b.c', refresh_token: 'r' });
    const seen: LiveMessage[] = [];
    render(<Probe onMessage={(m) => seen.push(m)} />);
    const ws = FakeSocket.all[0]!;
    expect(ws.url).toMatch(/^ws:\/\/.+\/ws\/orders\/o1$/);
    act(() => ws.open());
    expect(JSON.parse(ws.sent[0]!)).toEqual({ type: 'auth', token: 'a.b.c', last_id: null });
    act(() => ws.frame('hello', { heartbeat_seconds: 15 }));
    expect(screen.getByTestId('live-status').dataset.live).toBe('on');
    act(() => ws.frame('ping'));
    expect(ws.sent.at(-1)).toBe('{"type":"pong"}');
    act(() => ws.frame('order.status', { status: 'picking' }, 'e1'));
    act(() => ws.frame('order.status', { status: 'picking' }, 'e1'));
    expect(seen.map((m) => m.id)).toEqual(['e1']);
    vi.unstubAllGlobals();
  });

  it('says it polls while down, then resumes from the last id it saw', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', { OPEN: 1 });
    setTokens({ access_token: 'a.b.c', refresh_token: 'r' });
    render(<Probe onMessage={() => undefined} />);
    const first = FakeSocket.all[0]!;
    act(() => first.open());
    act(() => first.frame('hello'));
    act(() => first.frame('order.status', { status: 'packed' }, 'e7'));
    act(() => first.drop(1006));
    expect(screen.getByTestId('live-status').textContent).toContain('refreshing every 4 s');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(600);
    });
    const second = FakeSocket.all[1]!;
    act(() => second.open());
    expect(JSON.parse(second.sent[0]!).last_id).toBe('e7');
    act(() => second.drop(4404));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(20_000);
    });
    expect(FakeSocket.all).toHaveLength(2); // refused: not tried again
    vi.unstubAllGlobals();
  });

  it('reads a token expiry and builds socket addresses', () => {
    const body = btoa(JSON.stringify({ exp: 1_000 }));
    expect(secondsLeft(`x.${body}.y`, 990_000)).toBe(10);
    expect(secondsLeft('garbage')).toBeNull();
    expect(liveUrl('/ws/rider', new URL('https://shop.example.com/x'))).toBe(
      'wss://shop.example.com/ws/rider',
    );
    const ids = new SeenIds();
    expect([ids.first('a'), ids.first('a'), ids.first(null)]).toEqual([true, false, true]);
    expect(ids.last).toBe('a');
  });
});
