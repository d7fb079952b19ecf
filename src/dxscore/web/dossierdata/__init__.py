"""Dossier data in the platform: uploads into the workspace's dossier store, and the
background worker that imports them and computes the public-service measures with
``dxscore.dossiers``, filling the indicator values whose codes are measure names."""
