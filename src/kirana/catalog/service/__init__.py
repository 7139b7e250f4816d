"""The catalog service: what customers browse and what admins edit. Its public interface.

Reads that customers make on every screen (a store's product listing, the category tree, the
store list, serviceability) are built from Core rows straight into JSON bytes and cached in
process (see ``kirana.catalog.cache`` for how stale they may be). Every write marks the session
so the caches are bumped when the transaction commits.
"""

from __future__ import annotations

from kirana.catalog.service._admin import (
    MAX_IMAGE_BYTES,
    create_category,
    create_product,
    create_store,
    delete_category,
    delete_product,
    delete_store,
    get_admin_store,
    get_category,
    get_product,
    list_admin_stores,
    list_categories,
    list_products,
    search_name,
    set_product_image,
    slugify,
    update_category,
    update_product,
    update_store,
)
from kirana.catalog.service._browse import (
    CategoryTree,
    StoreInfo,
    categories_json,
    category_tree,
    get_store,
    invalidate_listings,
    nearest_store,
    service_area_index,
    store_page_json,
    store_product_json,
    store_products_json,
    store_products_page,
    stores,
)
from kirana.catalog.service._search import (
    Filters,
    search,
    store_search_json,
    suggestions_json,
)
from kirana.catalog.service._search_index import (
    create_synonym,
    delete_synonym,
    flush_search_stats,
    list_synonyms,
    query_stats,
    reindex_category,
    reindex_products,
    set_popularity,
    update_synonym,
)
from kirana.catalog.service._shelf import in_stock_items
from kirana.catalog.service._stock import list_stock, set_stock, set_stock_bulk

__all__ = [
    "MAX_IMAGE_BYTES",
    "CategoryTree",
    "Filters",
    "StoreInfo",
    "categories_json",
    "category_tree",
    "create_category",
    "create_product",
    "create_store",
    "create_synonym",
    "delete_category",
    "delete_product",
    "delete_store",
    "delete_synonym",
    "flush_search_stats",
    "get_admin_store",
    "get_category",
    "get_product",
    "get_store",
    "in_stock_items",
    "invalidate_listings",
    "list_admin_stores",
    "list_categories",
    "list_products",
    "list_stock",
    "list_synonyms",
    "nearest_store",
    "query_stats",
    "reindex_category",
    "reindex_products",
    "search",
    "search_name",
    "service_area_index",
    "set_popularity",
    "set_product_image",
    "set_stock",
    "set_stock_bulk",
    "slugify",
    "store_page_json",
    "store_product_json",
    "store_products_json",
    "store_products_page",
    "store_search_json",
    "stores",
    "suggestions_json",
    "update_category",
    "update_product",
    "update_store",
    "update_synonym",
]
