"""Riders, shifts, serviceability, ETA, dispatch and tracking."""
