// The public contract of /work/shared/API.md written as OpenAPI paths.
// Used only for paths the backend's generated document does not describe yet: `add-pending-paths`
// copies the missing ones into openapi.json, marked `x-kirana-pending: true`, so the generated
// client can already call them. Once the backend serves a path, its own description wins.

const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number' };
const bool = { type: 'boolean' };
const nullable = (s) => ({ anyOf: [s, { type: 'null' }] });
const arr = (items) => ({ type: 'array', items });
const obj = (properties, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
});
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const page = (item) => obj({ items: arr(item), next_cursor: nullable(str) });
const json = (schema) => ({ content: { 'application/json': { schema } } });
const problem = {
  description: 'Problem',
  content: { 'application/problem+json': { schema: ref('Problem') } },
};
const qp = (name, schema = str, required = false) => ({ name, in: 'query', required, schema });
const pp = (name) => ({ name, in: 'path', required: true, schema: str });

function op(operationId, { params = [], body, ok = 200, res, headers = [] } = {}) {
  const o = { operationId, parameters: [...params, ...headers], responses: {} };
  if (body) o.requestBody = { required: true, ...json(body) };
  o.responses[String(ok)] = res ? { description: 'OK', ...json(res) } : { description: 'OK' };
  o.responses.default = problem;
  return o;
}

export const schemas = {
  Problem: obj(
    {
      type: str,
      title: str,
      status: int,
      detail: str,
      code: str,
      errors: arr(obj({ field: str, message: str })),
    },
    ['title', 'status'],
  ),
  Tokens: obj({ access_token: str, refresh_token: str, token_type: str, expires_in: int }),
  Me: obj(
    {
      id: str,
      phone: str,
      name: str,
      email: nullable(str),
      roles: arr(str),
      store_id: nullable(str),
    },
    ['id', 'phone', 'name', 'roles'],
  ),
  Address: obj(
    {
      id: str,
      label: str,
      line1: str,
      city: str,
      pincode: str,
      lat: num,
      lng: num,
      instructions: nullable(str),
    },
    ['id', 'label', 'line1', 'city', 'pincode', 'lat', 'lng'],
  ),
  AddressIn: obj(
    {
      label: str,
      line1: str,
      city: str,
      pincode: str,
      lat: num,
      lng: num,
      instructions: nullable(str),
    },
    ['label', 'line1', 'city', 'pincode', 'lat', 'lng'],
  ),
  Serviceability: obj({
    serviceable: bool,
    store: nullable(obj({ id: str, name: str })),
    eta_minutes: nullable(int),
  }),
  CategoryNode: obj({
    id: str,
    name: str,
    slug: str,
    parent_id: nullable(str),
    children: arr(ref('CategoryNode')),
  }),
  Category: obj({ id: str, name: str, slug: str, parent_id: nullable(str) }),
  StoreProduct: obj(
    {
      id: str,
      name: str,
      brand: nullable(str),
      unit: str,
      image_url: nullable(str),
      price: int,
      mrp: int,
      in_stock: bool,
      max_quantity: int,
      description: nullable(str),
      category_id: nullable(str),
    },
    ['id', 'name', 'unit', 'price', 'mrp', 'in_stock', 'max_quantity'],
  ),
  Store: obj(
    {
      id: str,
      name: str,
      lat: num,
      lng: num,
      is_open: bool,
      service_radius_m: nullable(int),
      service_area: nullable({ type: 'object', additionalProperties: true }),
    },
    ['id', 'name', 'lat', 'lng', 'is_open'],
  ),
  Product: obj(
    {
      id: str,
      name: str,
      brand: nullable(str),
      unit: str,
      category_id: str,
      mrp: int,
      price: int,
      image_url: nullable(str),
      description: nullable(str),
      is_active: bool,
    },
    ['id', 'name', 'unit', 'category_id', 'mrp', 'price', 'is_active'],
  ),
  StockRow: obj({
    store_id: str,
    product_id: str,
    on_hand: int,
    reserved: int,
    price: nullable(int),
  }),
  Fee: obj({ code: str, label: str, amount: int }),
  CartLine: obj({ product_id: str, name: str, quantity: int, unit_price: int, line_total: int }),
  Cart: obj(
    {
      store_id: nullable(str),
      items: arr(ref('CartLine')),
      subtotal: int,
      fees: arr(ref('Fee')),
      discount: int,
      total: int,
      currency: str,
      coupon_code: nullable(str),
    },
    ['store_id', 'items', 'subtotal', 'fees', 'discount', 'total', 'currency'],
  ),
  PaymentRef: obj({ id: str, status: str, provider: str }),
  PlacedOrder: obj({
    id: str,
    number: str,
    status: str,
    total: int,
    currency: str,
    eta_minutes: nullable(int),
    delivery_otp: nullable(str),
    payment: nullable(ref('PaymentRef')),
  }),
  TimelineEntry: obj({ status: str, at: str }),
  OrderLine: obj({ product_id: str, name: str, quantity: int, unit_price: int, line_total: int }),
  Order: obj(
    {
      id: str,
      number: str,
      status: str,
      store_id: str,
      subtotal: int,
      total: int,
      discount: int,
      tip: int,
      currency: str,
      eta_minutes: nullable(int),
      delivery_otp: nullable(str),
      created_at: str,
      items: arr(ref('OrderLine')),
      fees: arr(ref('Fee')),
      timeline: arr(ref('TimelineEntry')),
      payment: nullable(ref('PaymentRef')),
      address: nullable({ type: 'object', additionalProperties: true }),
    },
    ['id', 'number', 'status', 'total', 'currency', 'created_at'],
  ),
  Tracking: obj({
    status: str,
    eta_minutes: nullable(int),
    rider: nullable(obj({ name: str, lat: num, lng: num })),
    timeline: arr(ref('TimelineEntry')),
  }),
  PaymentResult: obj({ id: str, status: str }),
  RiderTask: obj(
    {
      id: str,
      order_id: str,
      order_number: str,
      status: str,
      store: obj({ id: str, name: str, lat: num, lng: num }),
      drop: obj({ line1: str, lat: num, lng: num }),
      otp_required: bool,
    },
    ['id', 'order_id', 'order_number', 'status', 'store', 'drop'],
  ),
  Rider: obj(
    {
      id: str,
      user_id: str,
      store_id: str,
      vehicle: str,
      name: nullable(str),
      online: bool,
      lat: nullable(num),
      lng: nullable(num),
    },
    ['id', 'user_id', 'store_id', 'vehicle'],
  ),
};

const P = (s) => ref(s);

export const paths = {
  '/api/v1/auth/register': {
    post: op('register', {
      body: obj({ phone: str, password: str, name: str, email: nullable(str) }, [
        'phone',
        'password',
        'name',
      ]),
      ok: 201,
      res: obj({ user: P('Me'), access_token: str, refresh_token: str, token_type: str }),
    }),
  },
  '/api/v1/auth/login': {
    post: op('login', { body: obj({ phone: str, password: str }), res: P('Tokens') }),
  },
  '/api/v1/auth/refresh': {
    post: op('refresh', { body: obj({ refresh_token: str }), res: P('Tokens') }),
  },
  '/api/v1/auth/logout': { post: op('logout', { body: obj({ refresh_token: str }), ok: 204 }) },
  '/api/v1/me': {
    get: op('get_me', { res: P('Me') }),
    patch: op('update_me', { body: obj({ name: str, email: nullable(str) }, []), res: P('Me') }),
  },
  '/api/v1/me/addresses': {
    get: op('list_addresses', { res: page(P('Address')) }),
    post: op('create_address', { body: P('AddressIn'), ok: 201, res: P('Address') }),
  },
  '/api/v1/me/addresses/{address_id}': {
    patch: op('update_address', {
      params: [pp('address_id')],
      body: P('AddressIn'),
      res: P('Address'),
    }),
    delete: op('delete_address', { params: [pp('address_id')], ok: 204 }),
  },
  '/api/v1/serviceability': {
    get: op('check_serviceability', {
      params: [qp('lat', num, true), qp('lng', num, true)],
      res: P('Serviceability'),
    }),
  },
  '/api/v1/categories': { get: op('list_categories', { res: arr(P('CategoryNode')) }) },
  '/api/v1/stores': {
    get: op('list_stores', { params: [qp('cursor'), qp('limit', int)], res: page(P('Store')) }),
  },
  '/api/v1/stores/{store_id}/products': {
    get: op('list_store_products', {
      params: [pp('store_id'), qp('category_id'), qp('q'), qp('cursor'), qp('limit', int)],
      res: page(P('StoreProduct')),
    }),
  },
  '/api/v1/stores/{store_id}/products/{product_id}': {
    get: op('get_store_product', {
      params: [pp('store_id'), pp('product_id')],
      res: P('StoreProduct'),
    }),
  },
  '/api/v1/cart': {
    get: op('get_cart', { res: P('Cart') }),
    delete: op('clear_cart', { ok: 204 }),
  },
  '/api/v1/cart/items/{product_id}': {
    put: op('set_cart_item', {
      params: [pp('product_id')],
      body: obj({ quantity: int, store_id: str }),
      res: P('Cart'),
    }),
  },
  '/api/v1/cart/coupon': {
    post: op('apply_coupon', { body: obj({ code: str }), res: P('Cart') }),
    delete: op('remove_coupon', { res: P('Cart') }),
  },
  '/api/v1/orders': {
    get: op('list_orders', { params: [qp('cursor'), qp('limit', int)], res: page(P('Order')) }),
    post: op('place_order', {
      headers: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: str }],
      body: obj(
        {
          address_id: str,
          payment_method: { type: 'string', enum: ['card', 'upi', 'cod'] },
          tip: int,
          delivery_instructions: nullable(str),
          coupon_code: nullable(str),
        },
        ['address_id', 'payment_method'],
      ),
      ok: 201,
      res: P('PlacedOrder'),
    }),
  },
  '/api/v1/orders/{order_id}': {
    get: op('get_order', { params: [pp('order_id')], res: P('Order') }),
  },
  '/api/v1/orders/{order_id}/cancel': {
    post: op('cancel_order', {
      params: [pp('order_id')],
      body: obj({ reason: nullable(str) }, []),
      res: P('Order'),
    }),
  },
  '/api/v1/orders/{order_id}/tracking': {
    get: op('track_order', { params: [pp('order_id')], res: P('Tracking') }),
  },
  '/api/v1/payments/{payment_id}/confirm': {
    post: op('confirm_payment', {
      params: [pp('payment_id')],
      body: obj({ card_number: str, upi_vpa: str }, []),
      res: P('PaymentResult'),
    }),
  },
  '/api/v1/store-ops/{store_id}/orders': {
    get: op('list_store_queue', { params: [pp('store_id'), qp('status')], res: page(P('Order')) }),
  },
  '/api/v1/store-ops/orders/{order_id}/start-picking': {
    post: op('start_picking', { params: [pp('order_id')], res: P('Order') }),
  },
  '/api/v1/store-ops/orders/{order_id}/packed': {
    post: op('mark_packed', { params: [pp('order_id')], res: P('Order') }),
  },
  '/api/v1/rider/shift': {
    post: op('set_shift', {
      body: obj({ online: bool }),
      res: { type: 'object', additionalProperties: true },
    }),
  },
  '/api/v1/rider/location': {
    post: op('post_rider_location', {
      body: obj({ lat: num, lng: num }),
      res: { type: 'object', additionalProperties: true },
    }),
  },
  '/api/v1/rider/tasks': { get: op('list_rider_tasks', { res: page(P('RiderTask')) }) },
  '/api/v1/rider/deliveries/{delivery_id}/picked-up': {
    post: op('mark_picked_up', { params: [pp('delivery_id')], res: P('RiderTask') }),
  },
  '/api/v1/rider/deliveries/{delivery_id}/delivered': {
    post: op('mark_delivered', {
      params: [pp('delivery_id')],
      body: obj({ otp: str }),
      res: P('RiderTask'),
    }),
  },
  '/api/v1/admin/categories': {
    get: op('admin_list_categories', {
      params: [qp('cursor'), qp('limit', int)],
      res: page(P('Category')),
    }),
    post: op('admin_create_category', {
      body: obj({ name: str, slug: str, parent_id: nullable(str) }, ['name']),
      ok: 201,
      res: P('Category'),
    }),
  },
  '/api/v1/admin/categories/{category_id}': {
    patch: op('admin_update_category', {
      params: [pp('category_id')],
      body: obj({ name: str, slug: str, parent_id: nullable(str) }, []),
      res: P('Category'),
    }),
    delete: op('admin_delete_category', { params: [pp('category_id')], ok: 204 }),
  },
  '/api/v1/admin/products': {
    get: op('admin_list_products', {
      params: [qp('q'), qp('category_id'), qp('cursor'), qp('limit', int)],
      res: page(P('Product')),
    }),
    post: op('admin_create_product', {
      body: obj(
        {
          name: str,
          brand: nullable(str),
          unit: str,
          category_id: str,
          mrp: int,
          price: int,
          image_url: nullable(str),
          description: nullable(str),
          is_active: bool,
        },
        ['name', 'unit', 'category_id', 'mrp', 'price'],
      ),
      ok: 201,
      res: P('Product'),
    }),
  },
  '/api/v1/admin/products/{product_id}': {
    patch: op('admin_update_product', {
      params: [pp('product_id')],
      body: obj(
        {
          name: str,
          brand: nullable(str),
          unit: str,
          category_id: str,
          mrp: int,
          price: int,
          image_url: nullable(str),
          description: nullable(str),
          is_active: bool,
        },
        [],
      ),
      res: P('Product'),
    }),
    delete: op('admin_delete_product', { params: [pp('product_id')], ok: 204 }),
  },
  '/api/v1/admin/stores/{store_id}/stock': {
    get: op('admin_list_stock', {
      params: [pp('store_id'), qp('cursor'), qp('limit', int)],
      res: page(P('StockRow')),
    }),
  },
  '/api/v1/admin/stores/{store_id}/stock/{product_id}': {
    put: op('admin_set_stock', {
      params: [pp('store_id'), pp('product_id')],
      body: obj({ on_hand: int, price: nullable(int) }, ['on_hand']),
      res: P('StockRow'),
    }),
  },
  '/api/v1/admin/orders': {
    get: op('admin_list_orders', {
      params: [qp('status'), qp('store_id'), qp('cursor'), qp('limit', int)],
      res: page(P('Order')),
    }),
  },
  '/api/v1/admin/riders': {
    get: op('admin_list_riders', {
      params: [qp('cursor'), qp('limit', int)],
      res: page(P('Rider')),
    }),
    post: op('admin_create_rider', {
      body: obj({ user_id: str, store_id: str, vehicle: str }),
      ok: 201,
      res: P('Rider'),
    }),
  },
};

export function contractDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Kirana (contract from API.md)', version: '0' },
    paths,
    components: { schemas },
  };
}
