"""The case and its steps: starting, reading and advancing applications, one unit of work per step."""
