"""Resolve the jars of a small pom under ``upi/stack/maven/`` into the project's cache, with Maven.

Maven's local repository lives in the cache directory, so a second resolution downloads nothing; the
resolved classpath is written to ``<cache>/classpath/<name>.txt`` and reused while the pom is unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from upi.paths import MAVEN_DIR


class InstallError(RuntimeError):
    """Something the local stack needs could not be installed; the message says what to do."""


def _classpath_file(cache_dir: Path, name: str) -> Path:
    return cache_dir / "classpath" / f"{name}.txt"


def _pom_digest(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()[:16]


def cached_classpath(cache_dir: Path, name: str) -> list[Path] | None:
    """The jars of ``name`` if they were resolved for the current pom and are all still present."""
    target = _classpath_file(cache_dir, name)
    if not target.exists():
        return None
    digest, _, listing = target.read_text(encoding="utf-8").partition("\n")
    if digest != _pom_digest(MAVEN_DIR / name / "pom.xml"):
        return None
    jars = [Path(p) for p in listing.strip().split(":") if p]
    return jars if jars and all(j.exists() for j in jars) else None


def resolve_classpath(cache_dir: Path, name: str) -> list[Path]:
    """Download (once) and return the runtime jars of ``upi/stack/maven/<name>/pom.xml``.

    Example::

        >>> jars = resolve_classpath(Path(".cache"), "kafka")   # doctest: +SKIP
    """
    cached = cached_classpath(cache_dir, name)
    if cached is not None:
        return cached
    mvn = shutil.which("mvn")
    if mvn is None:
        raise InstallError("Maven (mvn) is not on PATH; install it with: apt-get install -y maven")
    target = _classpath_file(cache_dir, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = target.with_suffix(".raw")
    pom = MAVEN_DIR / name / "pom.xml"
    command = [
        mvn, "-q", "-B", "-s", str(MAVEN_DIR / "settings.xml"),
        f"-Dmaven.repo.local={cache_dir / 'm2'}",
        "-f", str(pom),
        "dependency:build-classpath",
        "-Dmdep.includeScope=runtime",
        f"-Dmdep.outputFile={raw}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
        raise InstallError(f"Maven could not resolve {pom}: " + " | ".join(tail))
    listing = raw.read_text(encoding="utf-8").strip()
    raw.unlink()
    target.write_text(f"{_pom_digest(pom)}\n{listing}\n", encoding="utf-8")
    return [Path(p) for p in listing.split(":") if p]
