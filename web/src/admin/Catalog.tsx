import { useEffect, useMemo, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { formatMoney } from '../lib/money';
import { ApiError } from '../lib/problem';
import { invalidate, useQuery } from '../lib/query';
import type { AdminCategory, AdminProduct } from '../lib/types';
import {
  Button,
  Dialog,
  Empty,
  ErrorBanner,
  SelectField,
  Skeleton,
  TextArea,
  TextField,
  useToast,
} from '../ui';
import { useAdminCategories } from './data';
import { useDebounced } from '../customer/SearchPage';

type Draft = {
  name: string;
  brand: string;
  unit: string;
  category_id: string;
  mrp: string;
  price: string;
  image_url: string;
  description: string;
  is_active: boolean;
};

const rupees = (paise: number | null | undefined) =>
  paise == null ? '' : (paise / 100).toFixed(2);
const paise = (rupeesText: string) => Math.round(Number(rupeesText) * 100);

function ProductDialog({
  product,
  categories,
  onClose,
}: {
  product: AdminProduct | null;
  categories: AdminCategory[];
  onClose: () => void;
}) {
  const [d, setD] = useState<Draft>({
    name: product?.name ?? '',
    brand: product?.brand ?? '',
    unit: product?.unit ?? '1 pc',
    category_id: product?.category_id ?? categories[0]?.id ?? '',
    mrp: rupees(product?.mrp),
    price: rupees(product?.price),
    image_url: product?.image_url ?? '',
    description: product?.description ?? '',
    is_active: product?.is_active ?? true,
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const fe = (f: string) => (error instanceof ApiError ? error.fieldMessage(f) : undefined);
  const set =
    (k: keyof Draft) =>
    (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      setD((x) => ({
        ...x,
        [k]: k === 'is_active' ? (e.target as HTMLInputElement).checked : e.target.value,
      }));

  async function save(e: React.FormEvent) {
    e.preventDefault();
    const body = {
      name: d.name.trim(),
      brand: d.brand.trim(),
      unit: d.unit.trim(),
      category_id: d.category_id,
      mrp: paise(d.mrp),
      price: paise(d.price),
      image_url: d.image_url.trim() || null,
      description: d.description.trim(),
      is_active: d.is_active,
    };
    if (body.price > body.mrp) {
      setError(
        new ApiError(422, {
          detail: 'The selling price cannot be above the MRP.',
          errors: [{ field: 'price', message: 'Must not exceed MRP' }],
        }),
      );
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (product)
        await unwrap(
          api.PATCH('/api/v1/admin/products/{product_id}', {
            params: { path: { product_id: product.id } },
            body,
          }),
        );
      else await unwrap(api.POST('/api/v1/admin/products', { body }));
      invalidate('admin:products');
      invalidate('products:');
      invalidate('product:');
      toast(product ? 'Product saved' : 'Product created');
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={product ? `Edit ${product.name}` : 'New product'} onClose={onClose}>
      <form className="form-grid" onSubmit={save}>
        <ErrorBanner error={error} />
        <TextField label="Name" value={d.name} onChange={set('name')} required error={fe('name')} />
        <div className="form-grid cols-2">
          <TextField label="Brand" value={d.brand} onChange={set('brand')} error={fe('brand')} />
          <TextField
            label="Unit"
            value={d.unit}
            onChange={set('unit')}
            required
            error={fe('unit')}
            hint="e.g. 500 g, 1 l, 6 pcs"
          />
        </div>
        <SelectField
          label="Category"
          value={d.category_id}
          onChange={set('category_id')}
          error={fe('category_id')}
        >
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </SelectField>
        <div className="form-grid cols-2">
          <TextField
            label="MRP (₹)"
            type="number"
            min="0"
            step="0.01"
            value={d.mrp}
            onChange={set('mrp')}
            required
            error={fe('mrp')}
          />
          <TextField
            label="Selling price (₹)"
            type="number"
            min="0"
            step="0.01"
            value={d.price}
            onChange={set('price')}
            required
            error={fe('price')}
          />
        </div>
        <TextField
          label="Image URL"
          value={d.image_url}
          onChange={set('image_url')}
          error={fe('image_url')}
          hint="Optional; products without an image get an illustration."
        />
        {product ? (
          <ImageUpload
            product={product}
            onUploaded={(u) => setD((x) => ({ ...x, image_url: u ?? '' }))}
          />
        ) : null}
        <TextArea
          label="Description"
          value={d.description}
          onChange={set('description')}
          error={fe('description')}
        />
        <label className="row">
          <input type="checkbox" checked={d.is_active} onChange={set('is_active')} /> Active (shown
          to customers)
        </label>
        <div className="row">
          <Button type="submit" busy={busy}>
            Save
          </Button>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function ImageUpload({
  product,
  onUploaded,
}: {
  product: AdminProduct;
  onUploaded: (url: string | null) => void;
}) {
  const [url, setUrl] = useState(product.image_url);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function upload(file: File) {
    setBusy(true);
    setError(null);
    try {
      const saved = await unwrap(
        api.POST('/api/v1/admin/products/{product_id}/image', {
          params: { path: { product_id: product.id } },
          body: { file: '' },
          bodySerializer: () => {
            const form = new FormData();
            form.append('file', file);
            return form;
          },
        }),
      );
      setUrl(saved.image_url);
      onUploaded(saved.image_url);
      invalidate('admin:products');
      invalidate('products:');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="field">
      <label htmlFor="product-image">Product photo</label>
      <div className="row">
        {url ? (
          <img
            src={url}
            alt=""
            width={56}
            height={56}
            style={{ borderRadius: 8, objectFit: 'cover' }}
          />
        ) : null}
        <input
          id="product-image"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          disabled={busy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void upload(file);
          }}
        />
        {busy ? <span className="spinner" aria-label="Uploading" /> : null}
      </div>
      <span className="field-hint">JPEG, PNG or WebP up to 2 MB.</span>
      <ErrorBanner error={error} />
    </div>
  );
}

function CategoryDialog({
  category,
  categories,
  onClose,
}: {
  category: AdminCategory | null;
  categories: AdminCategory[];
  onClose: () => void;
}) {
  const [name, setName] = useState(category?.name ?? '');
  const [slug, setSlug] = useState(category?.slug ?? '');
  const [parent, setParent] = useState(category?.parent_id ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fe = (f: string) => (error instanceof ApiError ? error.fieldMessage(f) : undefined);
  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      name: name.trim(),
      slug:
        slug.trim() ||
        name
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, ''),
      parent_id: parent || null,
    };
    try {
      if (category)
        await unwrap(
          api.PATCH('/api/v1/admin/categories/{category_id}', {
            params: { path: { category_id: category.id } },
            body,
          }),
        );
      else await unwrap(api.POST('/api/v1/admin/categories', { body }));
      invalidate('admin:categories');
      invalidate('categories');
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={category ? `Edit ${category.name}` : 'New category'} onClose={onClose}>
      <form className="form-grid" onSubmit={save}>
        <ErrorBanner error={error} />
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          error={fe('name')}
        />
        <TextField
          label="Slug"
          value={slug}
          onChange={(e) => setSlug(e.target.value)}
          error={fe('slug')}
          hint="Left empty, made from the name"
        />
        <SelectField
          label="Parent"
          value={parent}
          onChange={(e) => setParent(e.target.value)}
          error={fe('parent_id')}
        >
          <option value="">(top level)</option>
          {categories
            .filter((c) => c.id !== category?.id)
            .map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
        </SelectField>
        <div className="row">
          <Button type="submit" busy={busy}>
            Save
          </Button>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

const PAGE = 50;

function fetchProducts(q: string, categoryId: string, cursor?: string) {
  return unwrap(
    api.GET('/api/v1/admin/products', {
      params: {
        query: { q: q || undefined, category_id: categoryId || undefined, cursor, limit: PAGE },
      },
    }),
  );
}

export function Catalog() {
  const categories = useAdminCategories();
  const [q, setQ] = useState('');
  const [cat, setCat] = useState('');
  const term = useDebounced(q.trim(), 300);
  const products = useQuery(`admin:products:${term}:${cat}`, () => fetchProducts(term, cat));
  const [more, setMore] = useState<AdminProduct[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [editing, setEditing] = useState<AdminProduct | 'new' | null>(null);
  const [editingCat, setEditingCat] = useState<AdminCategory | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setMore([]);
    setCursor(products.data?.next_cursor ?? null);
  }, [products.data]);
  const cats = (categories.data ?? []) as AdminCategory[];
  const catName = (id: string) => cats.find((c) => c.id === id)?.name ?? '';
  const list = useMemo(() => [...(products.data?.items ?? []), ...more], [products.data, more]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await fetchProducts(term, cat, cursor);
      setMore((m) => [...m, ...page.items]);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  async function remove(kind: 'product' | 'category', id: string, name: string) {
    if (!confirm(`Delete ${name}?`)) return;
    setError(null);
    try {
      if (kind === 'product')
        await unwrap(
          api.DELETE('/api/v1/admin/products/{product_id}', {
            params: { path: { product_id: id } },
          }),
        );
      else
        await unwrap(
          api.DELETE('/api/v1/admin/categories/{category_id}', {
            params: { path: { category_id: id } },
          }),
        );
      invalidate(kind === 'product' ? 'admin:products' : 'admin:categories');
    } catch (e) {
      setError(e);
    }
  }

  return (
    <>
      <div className="row between wrap page-head">
        <h1>Catalog</h1>
        <div className="row">
          <Button variant="secondary" onClick={() => setEditingCat('new')}>
            New category
          </Button>
          <Button onClick={() => setEditing('new')}>New product</Button>
        </div>
      </div>
      <div className="toolbar">
        <TextField
          label="Search products"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Name or brand"
        />
        <SelectField label="Category" value={cat} onChange={(e) => setCat(e.target.value)}>
          <option value="">All categories</option>
          {cats.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </SelectField>
        <span className="subtle">
          {list.length}
          {cursor ? '+' : ''} products
        </span>
      </div>
      <ErrorBanner
        error={error ?? products.error ?? categories.error}
        onRetry={() => void products.reload()}
      />
      {products.loading ? (
        <Skeleton height={320} />
      ) : list.length ? (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Category</th>
                <th scope="col">Unit</th>
                <th scope="col" className="num">
                  MRP
                </th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id}>
                  <td>
                    <strong>{p.name}</strong>
                    {p.brand ? <div className="subtle">{p.brand}</div> : null}
                  </td>
                  <td>{catName(p.category_id)}</td>
                  <td>{p.unit}</td>
                  <td className="num">{formatMoney(p.mrp)}</td>
                  <td className="num">{formatMoney(p.price)}</td>
                  <td>
                    {p.is_active ? (
                      <span className="badge green">Active</span>
                    ) : (
                      <span className="badge">Hidden</span>
                    )}
                  </td>
                  <td>
                    <div className="row">
                      <Button
                        variant="ghost"
                        size="small"
                        onClick={() => setEditing(p)}
                        aria-label={`Edit ${p.name}`}
                      >
                        Edit
                      </Button>
                      <Button
                        variant="ghost"
                        size="small"
                        onClick={() => void remove('product', p.id, p.name)}
                        aria-label={`Delete ${p.name}`}
                      >
                        Delete
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {cursor ? (
            <div className="row" style={{ justifyContent: 'center', padding: 12 }}>
              <Button variant="secondary" onClick={() => void loadMore()} busy={loadingMore}>
                Load more
              </Button>
            </div>
          ) : null}
        </div>
      ) : (
        <Empty icon="box" title="No products match" />
      )}
      <h2 style={{ marginTop: 32 }}>Categories</h2>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Parent</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cats.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td className="subtle">{c.slug}</td>
                <td>{c.parent_id ? catName(c.parent_id) : '—'}</td>
                <td>
                  <div className="row">
                    <Button
                      variant="ghost"
                      size="small"
                      onClick={() => setEditingCat(c)}
                      aria-label={`Edit category ${c.name}`}
                    >
                      Edit
                    </Button>
                    <Button
                      variant="ghost"
                      size="small"
                      onClick={() => void remove('category', c.id, c.name)}
                      aria-label={`Delete category ${c.name}`}
                    >
                      Delete
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing ? (
        <ProductDialog
          product={editing === 'new' ? null : editing}
          categories={cats}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {editingCat ? (
        <CategoryDialog
          category={editingCat === 'new' ? null : editingCat}
          categories={cats}
          onClose={() => setEditingCat(null)}
        />
      ) : null}
    </>
  );
}
