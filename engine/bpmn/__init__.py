"""Reading BPMN files the platform's way: hardened XML, catalog metadata, forms and assignment.

Nothing here runs a workflow or imports SpiffWorkflow; `engine.runtime` does that.
"""
