"""Posluhy engine: services as BPMN diagrams, applications, work queues.

Layers run one way: services (use cases) -> store (repositories) -> models. Only `engine.runtime`
imports SpiffWorkflow, and nothing here imports Flask.
"""
