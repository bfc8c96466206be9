"""The iGov adapter in the BPMN layer: Activiti 5 diagrams, iGov group names and JUEL expressions."""
