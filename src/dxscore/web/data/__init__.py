"""Methodologies, indicators, periods and values: collection, imports, approval, audit."""
