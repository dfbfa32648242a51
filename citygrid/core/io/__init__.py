"""Import/export of records as CSV or XLSX with Chinese headers (one framework for all types)."""
