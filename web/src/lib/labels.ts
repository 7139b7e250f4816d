/** The words a person reads for the API's status codes: one place for every screen. */
import type { OrderStatus, PaymentStatus } from './types';

export type PaymentMethod = 'card' | 'upi' | 'cod';

export const STATUS_LABEL: Record<OrderStatus, string> = {
  pending_payment: 'Awaiting payment',
  confirmed: 'Confirmed',
  picking: 'Being packed',
  packed: 'Packed',
  out_for_delivery: 'On the way',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

/** Every order status, in the server's order (the label map above must name each one). */
export const ORDER_STATUSES = Object.keys(STATUS_LABEL) as OrderStatus[];

/** Where a customer may still cancel (the server's order state table decides; this hides the
 * button where it would refuse). */
export const CANCELLABLE: readonly OrderStatus[] = ['pending_payment', 'confirmed', 'picking'];

export const PAYMENT_METHOD_LABEL: Record<PaymentMethod, string> = {
  card: 'Card',
  upi: 'UPI',
  cod: 'Cash on delivery',
};

/** A status the map does not know yet still reads as words, never as a code. */
export function statusLabel(status: string): string {
  const known = STATUS_LABEL[status as OrderStatus];
  if (known) return known;
  const words = status.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function methodLabel(method: string | null | undefined): string {
  return PAYMENT_METHOD_LABEL[method as PaymentMethod] ?? statusLabel(method ?? '');
}

const PAID_BY: Record<Exclude<PaymentMethod, 'cod'>, string> = { card: 'card', upi: 'UPI' };

/** One sentence for how an order is paid: "Paid by card", "Pay in cash when it arrives", … */
export function paymentLabel(method: string | null | undefined, status: string | null | undefined) {
  if (method === 'cod') {
    if (status === 'succeeded') return 'Paid in cash on delivery';
    if (status === 'cancelled' || status === 'failed') return 'Cash on delivery — nothing to pay';
    if (status === 'refunded') return 'Cash on delivery — refunded';
    return 'Cash on delivery — pay the rider when it arrives';
  }
  const by = PAID_BY[method as 'card' | 'upi'] ?? 'card';
  switch (status as PaymentStatus | undefined) {
    case 'succeeded':
      return `Paid by ${by}`;
    case 'failed':
      return `The ${by} payment did not go through`;
    case 'refunded':
      return `Refunded to your ${by === 'card' ? 'card' : 'UPI account'}`;
    case 'cancelled':
      return `The ${by} payment was cancelled — you were not charged`;
    default:
      return `Waiting for the ${by} payment`;
  }
}

/** How each step of an order's progress reads; the wording of the payment step follows the method. */
export function stepLabel(step: OrderStatus, method: string | null | undefined, done: boolean) {
  if (step === 'pending_payment') return 'Order placed';
  if (step === 'confirmed' && method && method !== 'cod')
    return done ? 'Payment received' : 'Waiting for payment';
  if (step === 'confirmed') return 'Confirmed';
  return STATUS_LABEL[step];
}
