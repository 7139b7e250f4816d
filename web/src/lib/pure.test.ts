import { describe, expect, it } from 'vitest';
import { discountPercent, formatMoney } from './money';
import { toApiError, errorMessage } from './problem';
import { matchPath } from './router';

describe('money', () => {
  it('formats cents as euros', () => {
    expect(formatMoney(12345)).toBe('€123.45');
    expect(formatMoney(5000)).toBe('€50');
    expect(formatMoney(0)).toBe('€0');
  });
  it('computes the whole-percent discount against MRP', () => {
    expect(discountPercent(8000, 10000)).toBe(20);
    expect(discountPercent(10000, 10000)).toBe(0);
    expect(discountPercent(12000, 10000)).toBe(0);
  });
});

describe('problems', () => {
  it("reads FastAPI's default validation answer as field errors", () => {
    const e = toApiError(422, {
      detail: [{ loc: ['body', 'phone'], msg: 'Invalid phone', type: 'value_error' }],
    });
    expect(e.fieldMessage('phone')).toBe('Invalid phone');
    expect(errorMessage(e)).toBe('Please check the highlighted fields.');
  });
  it('falls back to the title and status', () => {
    expect(toApiError(409, { title: 'Conflict' }).message).toBe('Conflict');
    expect(toApiError(500, null).message).toBe('Request failed (500)');
  });
});

describe('router', () => {
  it('matches params', () => {
    expect(matchPath('/orders/:id', '/orders/abc')).toEqual({ id: 'abc' });
    expect(matchPath('/orders/:id', '/orders')).toBeNull();
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/admin/*', '/admin/stock')).toEqual({});
  });
});
