"""Domain-free toolkit: database, errors, money, ids, clock, pagination, security, cache."""
