"""The JSON API (``/api/v1/``, django-ninja) and the per-person tokens that open it."""
