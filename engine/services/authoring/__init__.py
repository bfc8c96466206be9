"""Authoring tools: `posluhy check`, `simulate` and `test` (scenarios), without a database."""
