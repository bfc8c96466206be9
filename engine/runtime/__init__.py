"""The only package that imports SpiffWorkflow: compiling diagrams into specs and running cases."""
