"""Categories, products, dark stores, per-store stock and price, search."""
