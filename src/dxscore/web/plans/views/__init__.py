"""The plans pages, one module per resource: resolutions, targets, tasks (with the
calendar), the Excel workbooks, emulation rankings and notices."""
