"""Cross-cutting mechanisms every domain app builds on."""
