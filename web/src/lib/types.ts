/** Shapes of API answers, derived from the generated client so they follow the OpenAPI document. */
import type { components, paths } from '../client/schema';

type JsonOf<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type Ok<R> = R extends { 200: infer A }
  ? JsonOf<A>
  : R extends { 201: infer B }
    ? JsonOf<B>
    : never;
export type Res<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? Ok<R>
  : never;
type ItemOf<T> = T extends { items: Array<infer I> } ? I : never;

export type Me = Res<'/api/v1/me', 'get'>;
export type Address = ItemOf<Res<'/api/v1/me/addresses', 'get'>>;
export type Serviceability = Res<'/api/v1/serviceability', 'get'>;
export type CategoryNode = Res<'/api/v1/categories', 'get'>[number];
export type StoreProduct = ItemOf<Res<'/api/v1/stores/{store_id}/products', 'get'>>;
export type Store = ItemOf<Res<'/api/v1/stores', 'get'>>;
export type Cart = Res<'/api/v1/cart', 'get'>;
export type CartLine = Cart['items'][number];
export type PlacedOrder = Res<'/api/v1/orders', 'post'>;
export type Order = Res<'/api/v1/orders/{order_id}', 'get'>;
export type OrderSummary = ItemOf<Res<'/api/v1/orders', 'get'>>;
export type Tracking = Res<'/api/v1/orders/{order_id}/tracking', 'get'>;
export type QueueOrder = ItemOf<Res<'/api/v1/store-ops/{store_id}/orders', 'get'>>;
export type RiderTask = ItemOf<Res<'/api/v1/rider/tasks', 'get'>>;
export type AdminProduct = ItemOf<Res<'/api/v1/admin/products', 'get'>>;
export type AdminCategory = ItemOf<Res<'/api/v1/admin/categories', 'get'>>;
export type StockRow = ItemOf<Res<'/api/v1/admin/stores/{store_id}/stock', 'get'>>;
export type AdminOrder = ItemOf<Res<'/api/v1/admin/orders', 'get'>>;
export type Rider = ItemOf<Res<'/api/v1/admin/riders', 'get'>>;
export type StaffPickList = Res<'/api/v1/store-ops/orders/{order_id}', 'get'>;
export type StaffPickLine = StaffPickList['lines'][number];
export type SubstituteCandidate = ItemOf<
  Res<'/api/v1/store-ops/orders/{order_id}/lines/{line_id}/substitutes', 'get'>
>;

type Schemas = components['schemas'];
/** The status vocabularies, as the server's enums name them (never a typed copy). */
export type OrderStatus = Schemas['OrderStatus'];
export type DeliveryStatus = Schemas['DeliveryStatus'];
export type PaymentStatus = Schemas['PaymentStatus'];
export type Substitution = Schemas['SubstitutionRead'];
export type LineStatus = Schemas['LineStatus'];

/** The steps an order goes through on its way to the door, in order. */
export const ORDER_STEPS: OrderStatus[] = [
  'pending_payment',
  'confirmed',
  'picking',
  'packed',
  'out_for_delivery',
  'delivered',
];
