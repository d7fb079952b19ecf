"""How `dxscore serve` stores the static files it collects: hashed names (so they can be
cached for a year) and gzip copies (whitenoise serves them to browsers that accept them).

Brotli copies are left out: at the quality whitenoise uses, compressing the chart library
(4.8 MB) alone takes most of a minute of CPU on a 2-core server at every start, for a
file about 20% smaller than its gzip copy."""

from __future__ import annotations

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

SKIP = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")  # source maps: only for developers


class CollectedStatic(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        kwargs["extensions"] = SKIP
        return Compressor(use_brotli=False, **kwargs)
