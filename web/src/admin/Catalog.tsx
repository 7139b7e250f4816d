import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { currencySymbol } from '../lib/market';
import { formatMoney, minorUnitsOfField, amountText } from '../lib/money';
import { invalidInput } from '../lib/problem';
import { invalidate } from '../lib/query';
import type { AdminCategory, AdminProduct } from '../lib/types';
import { Button, Empty, ErrorBanner, SelectField, TextArea, TextField, useToast } from '../ui';
import { FormDialog, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';
import { useAdminCategories, usePaged } from './data';
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
    mrp: amountText(product?.mrp),
    price: amountText(product?.price),
    image_url: product?.image_url ?? '',
    description: product?.description ?? '',
    is_active: product?.is_active ?? true,
  });
  const toast = useToast();
  const set =
    (k: keyof Draft) =>
    (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      setD((x) => ({
        ...x,
        [k]: k === 'is_active' ? (e.target as HTMLInputElement).checked : e.target.value,
      }));

  const form = useSubmit(async () => {
    const body = {
      name: d.name.trim(),
      brand: d.brand.trim(),
      unit: d.unit.trim(),
      category_id: d.category_id,
      mrp: minorUnitsOfField(d.mrp, 'mrp', 'MRP'),
      price: minorUnitsOfField(d.price, 'price', 'selling price'),
      image_url: d.image_url.trim() || null,
      description: d.description.trim(),
      is_active: d.is_active,
    };
    if (body.price > body.mrp)
      throw invalidInput('The selling price cannot be above the MRP.', [
        { field: 'price', message: 'Must not exceed MRP' },
      ]);
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
  });
  const fe = form.fieldError;

  return (
    <FormDialog
      title={product ? `Edit ${product.name}` : 'New product'}
      form={form}
      onClose={onClose}
    >
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
          label={`MRP (${currencySymbol()})`}
          type="number"
          min="0"
          step="0.01"
          value={d.mrp}
          onChange={set('mrp')}
          required
          error={fe('mrp')}
        />
        <TextField
          label={`Selling price (${currencySymbol()})`}
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
        <input type="checkbox" checked={d.is_active} onChange={set('is_active')} /> Active (shown to
        customers)
      </label>
    </FormDialog>
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
  const form = useSubmit(async () => {
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
  });
  const fe = form.fieldError;
  return (
    <FormDialog
      title={category ? `Edit ${category.name}` : 'New category'}
      form={form}
      onClose={onClose}
    >
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
    </FormDialog>
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
  const products = usePaged(`admin:products:${term}:${cat}`, (cursor) =>
    fetchProducts(term, cat, cursor),
  );
  const [editing, setEditing] = useState<AdminProduct | 'new' | null>(null);
  const [editingCat, setEditingCat] = useState<AdminCategory | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const cats = (categories.data ?? []) as AdminCategory[];
  const catName = (id: string) => cats.find((c) => c.id === id)?.name ?? '';
  const list = products.rows;

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

  const productColumns: Array<Column<AdminProduct>> = [
    {
      header: 'Product',
      cell: (p) => (
        <>
          <strong>{p.name}</strong>
          {p.brand ? <div className="subtle">{p.brand}</div> : null}
        </>
      ),
    },
    { header: 'Category', cell: (p) => catName(p.category_id) },
    { header: 'Unit', cell: (p) => p.unit },
    { header: 'MRP', num: true, cell: (p) => formatMoney(p.mrp) },
    { header: 'Price', num: true, cell: (p) => formatMoney(p.price) },
    {
      header: 'Status',
      cell: (p) =>
        p.is_active ? (
          <span className="badge green">Active</span>
        ) : (
          <span className="badge">Hidden</span>
        ),
    },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (p) => (
        <EditDelete
          name={p.name}
          onEdit={() => setEditing(p)}
          onDelete={() => void remove('product', p.id, p.name)}
        />
      ),
    },
  ];
  const categoryColumns: Array<Column<AdminCategory>> = [
    { header: 'Name', cell: (c) => c.name },
    { header: 'Slug', className: 'subtle', cell: (c) => c.slug },
    { header: 'Parent', cell: (c) => (c.parent_id ? catName(c.parent_id) : '—') },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (c) => (
        <EditDelete
          name={`category ${c.name}`}
          onEdit={() => setEditingCat(c)}
          onDelete={() => void remove('category', c.id, c.name)}
        />
      ),
    },
  ];

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
          {products.hasMore ? '+' : ''} products
        </span>
      </div>
      <ErrorBanner
        error={error ?? products.error ?? categories.error}
        onRetry={() => void products.reload()}
      />
      <DataTable
        columns={productColumns}
        rows={list}
        rowKey={(p) => p.id}
        loading={products.loading}
        skeletonHeight={320}
        empty={<Empty icon="box" title="No products match" />}
        more={products.more}
      />
      <h2 style={{ marginTop: 32 }}>Categories</h2>
      <DataTable columns={categoryColumns} rows={cats} rowKey={(c) => c.id} />
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

/** A row's Edit and Delete buttons, named for screen readers after what they act on. */
function EditDelete({
  name,
  onEdit,
  onDelete,
}: {
  name: string;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <div className="row">
      <Button variant="ghost" size="small" onClick={onEdit} aria-label={`Edit ${name}`}>
        Edit
      </Button>
      <Button variant="ghost" size="small" onClick={onDelete} aria-label={`Delete ${name}`}>
        Delete
      </Button>
    </div>
  );
}
