"""Reading BPMN files the platform's way: hardened XML, catalog metadata, forms, assignment and lint rules.

Nothing here runs a workflow. The lint rules borrow two judgements from `engine.runtime` (how the engine reads a
timer value, which names the sandbox reserves) so that `posluhy check` and the engine can never disagree.
"""
