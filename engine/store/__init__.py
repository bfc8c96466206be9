"""Repositories: the only code that issues queries. They add and flush, never commit."""
