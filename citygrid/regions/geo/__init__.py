"""Geodesy helpers for regions: coordinate-system transforms."""
