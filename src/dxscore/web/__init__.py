"""The web platform: units, people and scopes, data collection and approval, score runs.

A Django project on a workspace folder (``DXSCORE_HOME``). It calls ``dxscore.index``
through its public API and never reimplements the engine.
"""
