"""Online exchange (在线交流): discussion boards per region for organisation heads and staff."""
