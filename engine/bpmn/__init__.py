"""Reading BPMN files the platform's way: hardened XML, catalog metadata, forms, assignment and lint rules.

Nothing here runs a workflow, and nothing here imports the runtime: lint rules that need the engine's own judgement
(how it reads a timer value) live in `engine.runtime.timer_checks`, so `posluhy check` and the engine never disagree.
"""
