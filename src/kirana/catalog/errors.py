"""Typed errors of the catalog service, each with a stable ``code``."""

from __future__ import annotations

from kirana.kit.errors import Conflict, KiranaError, NotFound, ValidationFailed


class StoreNotFound(NotFound):
    code = "store_not_found"


class ProductNotFound(NotFound):
    code = "product_not_found"


class CategoryNotFound(NotFound):
    code = "category_not_found"


class PriceAboveMrp(ValidationFailed):
    """India's MRP is the legal maximum: no selling price may exceed it."""

    code = "price_above_mrp"
    title = "Price above MRP"


class UnknownReference(ValidationFailed):
    """The body names a category or product that does not exist."""

    code = "unknown_reference"


class SlugTaken(Conflict):
    code = "slug_taken"


class InUse(Conflict):
    """Deleting would orphan what refers to it."""

    code = "in_use"


class BelowReserved(Conflict):
    code = "below_reserved"
    title = "Stock below what open orders hold"


class ImageTooLarge(KiranaError):
    status, code, title = 413, "image_too_large", "Image too large"


class UnsupportedImage(KiranaError):
    status, code, title = 415, "unsupported_image", "Unsupported image type"


class SynonymNotFound(NotFound):
    code = "synonym_not_found"


class SynonymTaken(Conflict):
    code = "synonym_taken"
