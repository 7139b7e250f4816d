"""Kirana: an open-source quick-commerce platform."""

__version__ = "0.1.0"
