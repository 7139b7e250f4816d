"""Notification inbox and channels, fed by events."""
