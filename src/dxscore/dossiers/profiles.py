"""Mapping profiles: how another system's column names and codes map onto dossier records.

A profile is a small YAML file: ``columns`` names the source column (or candidates,
the first present wins) for each dossier column, ``values`` translates codes (matched
after trimming, lower-casing and turning spaces and dashes into underscores), and
``timestamp_formats`` lists strptime formats tried before ISO 8601. The built-in
``vn-portal`` profile covers the National Public Service Portal's field names.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dxscore.dossiers.schema import (
    CATALOGUE_COLUMNS,
    DOSSIER_COLUMNS,
    FALSE_WORDS,
    TRUE_WORDS,
    Column,
)


class ProfileError(ValueError):
    pass


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = ""
    description: str = ""
    columns: dict[str, list[str]] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    timestamp_formats: list[str] = Field(default_factory=list)

    @field_validator("columns", mode="before")
    @classmethod
    def _candidates_as_lists(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("values", mode="before")
    @classmethod
    def _codes_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {
                k: {normalise_code(str(code)): str(to) for code, to in (m or {}).items()}
                for k, m in value.items()
            }
        return value

    def check(self) -> None:
        """Every mapped column exists (in dossiers or the catalogue), and every translated
        value is one the column accepts."""
        by_name = {c.name: c for c in CATALOGUE_COLUMNS + DOSSIER_COLUMNS}
        problems = [f"columns: unknown column '{n}'" for n in self.columns if n not in by_name]
        for name, mapping in self.values.items():
            col = by_name.get(name)
            if col is None:
                problems.append(f"values: unknown column '{name}'")
                continue
            allowed = col.choices or (TRUE_WORDS + FALSE_WORDS if col.kind == "bool" else ())
            if not allowed:
                problems.append(f"values: column '{name}' takes no codes")
                continue
            for code, to in mapping.items():
                if to not in allowed:
                    problems.append(
                        f"values.{name}: '{code}' maps to '{to}', expected one of "
                        + ", ".join(allowed)
                    )
        if problems:
            raise ProfileError(f"profile '{self.id}': " + "; ".join(problems))


def normalise_code(text: str) -> str:
    """The form in which codes are compared: trimmed, lower case, ``_`` for spaces and dashes."""
    return text.strip().lower().replace("-", "_").replace(" ", "_")


IDENTITY = Profile(id="dxscore", title="dxscore dossier columns (the default)")


def builtin_profiles() -> list[str]:
    folder = files("dxscore.dossiers") / "profiles"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_profile(name_or_path: str | Path | None) -> Profile:
    """A built-in profile by id, or a user's YAML mapping file; None gives the default."""
    if name_or_path is None or str(name_or_path) in ("", "dxscore"):
        return IDENTITY
    text_source = str(name_or_path)
    if text_source in builtin_profiles():
        resource = files("dxscore.dossiers") / "profiles" / f"{text_source}.yaml"
        text, where = resource.read_text(encoding="utf-8"), f"built-in profile {text_source}"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise ProfileError(
                f"no mapping profile '{text_source}': not a built-in profile "
                f"({', '.join(builtin_profiles())}) and no such file"
            )
        text, where = path.read_text(encoding="utf-8"), str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: expected a mapping with id, columns, values")
    data.setdefault("id", Path(text_source).stem)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ProfileError(f"{where}: {details}") from None
    profile.check()
    return profile


def resolve_header(
    header: list[str], columns: tuple[Column, ...], profile: Profile
) -> tuple[dict[str, str], list[str]]:
    """Match a file's header to the format's columns.

    Returns ``{column: source header name}`` for the columns found and the list of
    source columns that map to nothing. Matching ignores case and surrounding spaces;
    a column the profile does not mention is looked up under its own name.
    """
    by_key: dict[str, str] = {}
    for name in header:
        by_key.setdefault(name.strip().lower(), name)
    found: dict[str, str] = {}
    for col in columns:
        candidates = profile.columns.get(col.name, []) + [col.name]
        for candidate in candidates:
            source = by_key.get(candidate.strip().lower())
            if source is not None:
                found[col.name] = source
                break
    used = set(found.values())
    unused = [h for h in header if h not in used]
    return found, unused
