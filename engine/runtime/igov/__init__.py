"""The iGov adapter in the runtime: Activiti diagrams rewritten for the engine, iGov script and mail tasks,
JavaScript."""
