import { describe, expect, it } from 'vitest';
import openapi from '../../openapi.json';
import { CANCELLABLE, ORDER_STATUSES, STATUS_LABEL } from './labels';
import { ORDER_STEPS } from './types';

describe('order statuses', () => {
  it('label exactly the statuses the OpenAPI document names, in its order', () => {
    expect(ORDER_STATUSES).toEqual(openapi.components.schemas.OrderStatus.enum);
    expect(Object.values(STATUS_LABEL).every((label) => label.length > 0)).toBe(true);
  });
  it('step to the door without cancelled; a customer cancels before packing', () => {
    expect(ORDER_STEPS).toEqual([
      'pending_payment',
      'confirmed',
      'picking',
      'packed',
      'out_for_delivery',
      'delivered',
    ]);
    expect(CANCELLABLE).toEqual(['pending_payment', 'confirmed', 'picking']);
  });
});
