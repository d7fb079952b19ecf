"""The data collection pages, one module per resource: entry (completeness, the form,
the workflow, the template), uploads of values files, a value's history and evidence,
methodologies."""
