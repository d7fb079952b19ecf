"""Vietnamese enterprise tax codes (mã số thuế, MST), checked for format only.

An enterprise's code is 10 digits; a dependent unit's (branch, representative office)
is the enterprise's 10 digits, ``-`` and 3 digits (``0101234567-001``). The tenth digit
is said to be a check digit, but no official rule for it is published that we could
verify, so it is **not** checked: a code of the right shape is accepted."""

from __future__ import annotations

import re

PATTERN = re.compile(r"^\d{10}(-\d{3})?$")


def check_tax_code(text: str) -> tuple[str, str]:
    """``(normalised code, reason)``: spaces and dots removed; reason empty when valid."""
    code = re.sub(r"[\s.]", "", text or "")
    if not code:
        return "", "a tax code is required"
    if not PATTERN.match(code):
        return code, "a tax code is 10 digits, or 10 digits, '-' and 3 digits for a branch"
    if code[:10] == "0000000000" or code.endswith("-000"):
        return code, "not a tax code (all zeros)"
    return code, ""
