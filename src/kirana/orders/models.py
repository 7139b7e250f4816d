"""Tables of this service."""

from __future__ import annotations
