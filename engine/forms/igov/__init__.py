"""The iGov adapter in the forms layer: Activiti `formProperty` forms and iGov's field-name conventions."""
