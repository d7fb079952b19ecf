"""The engine's array types, for annotations: values and scores are float arrays with NaN
for missing, masks are boolean, positions are integers and unit labels are text."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

Floats: TypeAlias = npt.NDArray[np.float64]
Bools: TypeAlias = npt.NDArray[np.bool_]
Ints: TypeAlias = npt.NDArray[np.integer[Any]]
Texts: TypeAlias = npt.NDArray[np.object_]  # Python strings (unit codes, group labels)
