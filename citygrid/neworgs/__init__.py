"""New organisations (两新组织): enterprises and social organisations, their branches, records
and monthly reports."""
