"""Command-line tools the project's checks need beyond Python packages, installed on first use.

Example::

    >>> subprocess.run([docker_compose(), "-f", "docker/compose.yml", "config", "-q"])   # doctest: +SKIP
"""

from __future__ import annotations

import shutil

from upi.stack.maven import InstallError
from upi.stack.services import apt_install


def docker_compose() -> str:
    """Path of ``docker-compose`` (v1, Debian's package), which validates compose files without an engine."""
    path = shutil.which("docker-compose")
    if path is None:
        apt_install("docker-compose")
        path = shutil.which("docker-compose")
    if path is None:
        raise InstallError("docker-compose is still not on PATH after installing Debian's docker-compose")
    return path
