"""Public statistics: the worker counts each day into the statistics tables, the pages and the API read them."""
