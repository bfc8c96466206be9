"""The service catalog and deployment of diagrams as service versions."""
