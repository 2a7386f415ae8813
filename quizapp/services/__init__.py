"""Services: the domain applied to the database (imports, queries, reports)."""
