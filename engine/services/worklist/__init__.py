"""Officials' worklist: queues of open tasks, claim and release (queries, no workflow loads)."""
