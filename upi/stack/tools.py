"""Command-line tools the project's checks need beyond Python packages, installed on first use.

Example::

    >>> subprocess.run([docker_compose(), "-f", "docker/compose.yml", "config", "-q"])   # doctest: +SKIP
"""

from __future__ import annotations

from upi.stack.services import ensure_program


def docker_compose() -> str:
    """Path of ``docker-compose`` (v1, Debian's package), which validates compose files without an engine."""
    return ensure_program("docker-compose", "docker-compose")
