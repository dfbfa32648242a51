"""指令下达: sending directives down the tree, receipts, reminders (see docs/directives.md)."""
