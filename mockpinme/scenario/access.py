"""Which scenarios a request may load: built-in names, files under the ``--scenarios-dir`` folders,
or a scenario sent inline. The one policy for the control API, the ``X-Mockpinme-Scenario``
header and ``--watch``; what it refuses is said without a file's content or an install path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .convert import Problem
from .load import ScenarioError, ScenarioSource, builtin_dir

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_SUFFIXES = (".yaml", ".yml")
REFERENCE_MAX = 1024


@cache
def builtin_names() -> tuple[str, ...]:
    """The built-in scenarios' names (listed once)."""
    return tuple(sorted(p.stem for p in builtin_dir().glob("*.yaml")))


def _refuse(message: str) -> ScenarioError:
    return ScenarioError([Problem(None, (), message)])


def shown(reference: str) -> str:
    """A reference as a message quotes it: escaped, at most 120 characters."""
    text = reference if len(reference) <= 120 else reference[:117] + "..."
    return repr(text)


def _checked(reference: str) -> str:
    if not reference or len(reference) > REFERENCE_MAX:
        raise _refuse(f"a scenario reference takes 1 to {REFERENCE_MAX} characters")
    if "\x00" in reference:
        raise _refuse(f"{shown(reference)} holds a NUL character")
    try:
        os.fsencode(reference)
    except UnicodeEncodeError:
        raise _refuse(f"{shown(reference)} is not valid Unicode text") from None
    return reference


@dataclass(frozen=True)
class Access:
    """The folders whose scenario files requests may load (besides the built-ins), resolved."""

    dirs: tuple[Path, ...] = ()

    @classmethod
    def of(cls, dirs: Iterable[str | Path]) -> Access:
        return cls(tuple(Path(os.path.realpath(d)) for d in dirs))

    def permits(self, path: Path, suffixes: tuple[str, ...] = _SUFFIXES) -> bool:
        """Is ``path``, symlinks followed, a scenario file (or one with ``suffixes``) in a built-in
        or allowed folder?"""
        real = Path(os.path.realpath(path))
        if real.suffix not in suffixes:
            return False
        return any(real.is_relative_to(d) for d in (Path(os.path.realpath(builtin_dir())), *self.dirs))

    def _where(self) -> str:
        if not self.dirs:
            return "this server loads no scenario files (start it with --scenarios-dir DIR)"
        return "scenario files load only from the --scenarios-dir folders"

    def by_name(self, name: str) -> ScenarioSource:
        """A built-in name, or ``NAME.yaml`` / ``NAME.yml`` in an allowed folder."""
        _checked(name)
        known = builtin_names()
        if _NAME.fullmatch(name) and not name.endswith(_SUFFIXES):
            if name in known:
                return name
            for folder in self.dirs:
                for suffix in _SUFFIXES:
                    if (folder / f"{name}{suffix}").is_file():
                        return folder / f"{name}{suffix}"
        where = "" if self.dirs else " (and no --scenarios-dir was given)"
        raise _refuse(
            f"{shown(name)} is not a built-in scenario or a scenario in --scenarios-dir{where};"
            f" built-in scenarios: {', '.join(known)}"
        )

    def by_path(self, reference: str) -> Path:
        """A file under an allowed folder (a relative path: under the first that has it)."""
        _checked(reference)
        given = Path(reference)
        options = [given] if given.is_absolute() else [d / given for d in self.dirs]
        for path in options:
            if self.permits(path) and path.exists():
                return path
        if any(self.permits(p) for p in options):
            raise _refuse(f"no scenario file {shown(reference)} in the --scenarios-dir folders")
        raise _refuse(f"{shown(reference)} is refused: {self._where()}, as .yaml or .yml")

    def home(self) -> Path | None:
        """Where an inline scenario's relative ``extends`` is looked up: the first allowed folder."""
        return self.dirs[0] if self.dirs else None


def default_dirs(scenario: object) -> tuple[Path, ...]:
    """The folders allowed when none are given: that of the start scenario, when it is a file."""
    if isinstance(scenario, Path):
        return (scenario.resolve().parent,)
    if isinstance(scenario, str) and (scenario.endswith(_SUFFIXES) or "/" in scenario or "\\" in scenario):
        return (Path(scenario).resolve().parent,)
    return ()
