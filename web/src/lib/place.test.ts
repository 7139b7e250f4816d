import { describe, expect, it } from 'vitest';
import { promiseText } from './place';

describe('delivery promise', () => {
  it('says when no rider is free, with the longer range', () => {
    const range = { p50: 26, p90: 51 };
    expect(
      promiseText({ eta_minutes: 26, eta_status: 'finding_rider', eta_range: range }, 'short'),
    ).toBe('Finding a rider · 26–51 min');
    expect(
      promiseText({ eta_minutes: 26, eta_status: 'finding_rider', eta_range: range }, 'long'),
    ).toBe('in 26–51 minutes: we are finding a rider');
    expect(
      promiseText({ eta_minutes: 16, eta_status: 'riders_busy', eta_range: range }, 'short'),
    ).toBe('Riders busy · 26–51 min');
  });

  it('keeps the plain ETA when a rider is free, and none without an estimate', () => {
    expect(
      promiseText(
        { eta_minutes: 6, eta_status: 'on_time', eta_range: { p50: 6, p90: 9 } },
        'short',
      ),
    ).toBe('Delivery in 6 min');
    expect(promiseText({ eta_minutes: 6 }, 'long')).toBe('in about 6 minutes');
    expect(promiseText({ eta_minutes: null }, 'short')).toBeNull();
  });
});
