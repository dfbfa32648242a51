"""Users, roles, scopes and login security."""
