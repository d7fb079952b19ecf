"""dxscore: measure and steer digital transformation.

Layers (imports point downward only): ``dxscore.cli`` and ``dxscore.web`` call the
pure libraries ``dxscore.index`` (composite-index engine) and ``dxscore.dossiers``
(public-service measures over dossier records).
"""

__version__ = "0.1.0"
