"""The three servers of the local stack, each installed from a package registry and run on 127.0.0.1.

* Postgres 15 from Debian's packages, a private cluster (``initdb``) under ``$UPI_HOME/postgres``;
* Apache Kafka 4.1 from Maven Central jars, single-node KRaft, under ``$UPI_HOME/kafka``;
* s3proxy from Maven Central with a filesystem backend (the S3-compatible server), under ``$UPI_HOME/s3``.

Ports come from the settings (``UPI_POSTGRES_DSN``, ``UPI_KAFKA_BOOTSTRAP``, ``UPI_S3_ENDPOINT``), so the
stack always listens where the pipeline looks.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
from abc import ABC, abstractmethod
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql as pgsql

from upi.settings import Settings
from upi.stack.maven import InstallError, resolve_classpath
from upi.stack.process import ManagedProcess, ServiceError


def maintenance_dsn(dsn: str) -> str:
    """``dsn`` pointed at the server's ``postgres`` database, to create or drop other databases from."""
    return urlsplit(dsn)._replace(path="/postgres").geturl()


def apt_install(*packages: str) -> None:
    if os.geteuid() != 0:
        raise InstallError(
            f"missing {' '.join(packages)}; install with: sudo apt-get install -y {' '.join(packages)}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *packages]):
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise InstallError(f"`{' '.join(command)}` failed: {result.stderr.strip()[-300:]}")


def ensure_program(program: str, package: str) -> str:
    """Path of ``program``, installing Debian's ``package`` first when it is not on PATH."""
    path = shutil.which(program)
    if path is None:
        apt_install(package)
        path = shutil.which(program)
    if path is None:
        raise InstallError(f"{program} is still not on PATH after installing {package}")
    return path


def _java() -> str:
    return ensure_program("java", "openjdk-17-jre-headless")


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Service(ABC):
    """A server of the stack: installed once, started detached, healthy when its check passes."""

    name: str
    start_timeout: float = 90.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.home / self.name
        self.process = ManagedProcess(self.name, settings.home / "run", self.marker)

    @property
    @abstractmethod
    def marker(self) -> str: ...

    @property
    @abstractmethod
    def address(self) -> str: ...

    @property
    @abstractmethod
    def port(self) -> int: ...

    @abstractmethod
    def install(self) -> None:
        """Fetch binaries/jars and create the data directory; idempotent."""

    @abstractmethod
    def command(self) -> list[str]: ...

    @abstractmethod
    def healthy(self) -> bool: ...

    def run_as(self) -> str | None:
        return None

    def _classpath(self) -> str:
        """The Java classpath of a JVM service, resolved once into the cache (``upi/stack/maven/<name>``)."""
        maven_name = "s3proxy" if self.name == "s3" else self.name
        return ":".join(str(j) for j in resolve_classpath(self.settings.cache_dir, maven_name))

    def _classpath_argfile(self) -> str:
        """``@file`` holding ``-cp …`` for java: keeps the command line short enough for ``/proc/PID/cmdline``."""
        argfile = self.dir / "classpath.args"
        argfile.parent.mkdir(parents=True, exist_ok=True)
        argfile.write_text(f'-cp "{self._classpath()}"\n')
        return f"@{argfile}"

    def after_start(self) -> None:  # noqa: B027 - optional hook, most services override it
        """Create what the pipeline expects (database, topic, bucket); idempotent."""

    def start(self) -> bool:
        """Start unless running; return whether it was started now."""
        if self.process.pid() is not None and self.healthy():
            self.after_start()
            return False
        if self.process.pid() is None and _port_open(self.port):
            raise ServiceError(
                f"{self.name}: port {self.port} is taken by a process this stack did not start; "
                f"stop it or choose another port in the settings"
            )
        self.install()
        pid = self.process.start(self.command(), user=self.run_as())
        self.process.wait_healthy(pid, self.healthy, self.start_timeout)
        self.after_start()
        return True

    def stop(self) -> bool:
        return self.process.stop()


class PostgresService(Service):
    name = "postgres"

    @property
    def marker(self) -> str:
        return str(self.dir / "data")

    @property
    def port(self) -> int:
        return self.settings.postgres_port

    @property
    def address(self) -> str:
        parts = urlsplit(self.settings.dsn)
        return f"postgresql://{parts.username}@127.0.0.1:{self.port}{parts.path}"

    def _bin(self, program: str) -> str:
        found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))
        if not found:
            apt_install("postgresql")
            found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))
        if not found:
            raise InstallError(
                f"{program} not found under /usr/lib/postgresql/*/bin after installing postgresql"
            )
        return str(found[-1])

    def run_as(self) -> str | None:
        # Postgres refuses to run as root; Debian's package creates the `postgres` user.
        return "postgres" if os.geteuid() == 0 else None

    def install(self) -> None:
        data = self.dir / "data"
        if (data / "PG_VERSION").exists():
            return
        parts = urlsplit(self.settings.dsn)
        self.dir.mkdir(parents=True, exist_ok=True)
        password_file = self.dir / "initdb.pw"
        password_file.write_text(parts.password or "")
        (self.dir / "socket").mkdir(exist_ok=True)
        user = self.run_as()
        if user is not None:
            for path in (self.dir, self.dir / "socket", password_file):
                shutil.chown(path, user)
        result = subprocess.run(
            [
                self._bin("initdb"),
                "-D",
                str(data),
                "-U",
                parts.username or "upi",
                "--pwfile",
                str(password_file),
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ],
            capture_output=True,
            text=True,
            user=user,
            check=False,
        )
        password_file.unlink()
        if result.returncode != 0:
            raise InstallError(f"initdb failed: {result.stderr.strip()[-400:]}")

    def command(self) -> list[str]:
        return [
            self._bin("postgres"), "-D", str(self.dir / "data"), "-p", str(self.port),
            "-k", str(self.dir / "socket"), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=100",
            # Every row the sink merges probes and extends the transaction table's B-trees: keep their hot pages
            # in memory (default 128 MB).
            "-c", "shared_buffers=512MB",
        ]  # fmt: skip

    def _maintenance_dsn(self) -> str:
        return maintenance_dsn(self.settings.dsn)

    def healthy(self) -> bool:
        try:
            with (
                closing(psycopg2.connect(self._maintenance_dsn(), connect_timeout=2)) as conn,
                conn.cursor() as cur,
            ):
                cur.execute("SELECT 1")
                return True
        except psycopg2.OperationalError:
            return False

    def after_start(self) -> None:
        from warehouse.migrate import migrate, set_reader_password

        database = urlsplit(self.settings.dsn).path.strip("/")
        with closing(psycopg2.connect(self._maintenance_dsn())) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                if cur.fetchone() is None:
                    cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(database)))
        migrate(self.settings.dsn)
        set_reader_password(self.settings.dsn, self.settings.grafana_db_password.get_secret_value())

    def stop(self) -> bool:
        return self.process.stop(sig=signal.SIGINT)  # Postgres' "fast" shutdown

    def crash(self) -> bool:
        """Stop like a power cut: Postgres' "immediate" shutdown, no checkpoint; crash recovery at start."""
        return self.process.stop(sig=signal.SIGQUIT)


class KafkaService(Service):
    name = "kafka"

    @property
    def marker(self) -> str:
        return str(self.dir / "server.properties")

    @property
    def port(self) -> int:
        return self.settings.kafka_port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _properties(self) -> str:
        port, controller = self.port, self.port + 1
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers=127.0.0.1:{controller}",
                f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                f"log.dirs={self.dir / 'data'}",
                f"num.partitions={self.settings.kafka_topic_partitions}",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "log.retention.hours=168",
                "",
            ]
        )

    def install(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "server.properties").write_text(self._properties())
        (self.dir / "log4j2.properties").write_text(
            "rootLogger.level=INFO\nrootLogger.appenderRef.stdout.ref=STDOUT\n"
            "appender.stdout.type=Console\nappender.stdout.name=STDOUT\n"
            "appender.stdout.layout.type=PatternLayout\nappender.stdout.layout.pattern=[%d] %p %m (%c)%n\n"
            "logger.kafka.name=kafka\nlogger.kafka.level=WARN\n"
            "logger.apache.name=org.apache.kafka\nlogger.apache.level=WARN\n"
        )
        if (self.dir / "data" / "meta.properties").exists():
            return
        java = _java()
        cluster_id = subprocess.run(
            [java, "-cp", self._classpath(), "kafka.tools.StorageTool", "random-uuid"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        result = subprocess.run(
            [java, "-cp", self._classpath(), "kafka.tools.StorageTool", "format", "--standalone",
             "-t", cluster_id, "-c", str(self.dir / "server.properties")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise InstallError(
                f"formatting Kafka storage failed: {result.stdout[-300:]} {result.stderr[-300:]}"
            )

    def command(self) -> list[str]:
        return [
            _java(), "-Xmx1G", "-Xms256m", "-XX:+UseG1GC",
            f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}",
            self._classpath_argfile(), "kafka.Kafka", str(self.dir / "server.properties"),
        ]  # fmt: skip

    def healthy(self) -> bool:
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        try:
            admin = KafkaAdminClient(bootstrap_servers=self.address, request_timeout_ms=3000)
        except (KafkaError, ValueError, OSError):
            return False
        try:
            admin.list_topics()
            return True
        except (KafkaError, OSError):
            return False
        finally:
            admin.close()

    def after_start(self) -> None:
        from upi.kafka_admin import ensure_topic

        ensure_topic(
            self.settings.kafka_bootstrap, self.settings.kafka_topic, self.settings.kafka_topic_partitions
        )


class S3Service(Service):
    name = "s3"

    @property
    def marker(self) -> str:
        return str(self.dir / "s3proxy.conf")

    @property
    def port(self) -> int:
        return self.settings.s3_port

    @property
    def address(self) -> str:
        return self.settings.s3_endpoint

    def install(self) -> None:
        (self.dir / "data" / self.settings.s3_bucket).mkdir(parents=True, exist_ok=True)
        (self.dir / "s3proxy.conf").write_text(
            "\n".join(
                [
                    f"s3proxy.endpoint=http://127.0.0.1:{self.port}",
                    "s3proxy.authorization=aws-v2-or-v4",
                    f"s3proxy.identity={self.settings.s3_access_key}",
                    f"s3proxy.credential={self.settings.s3_secret_key.get_secret_value()}",
                    "jclouds.provider=filesystem-nio2",
                    f"jclouds.filesystem.basedir={self.dir / 'data'}",
                    "",
                ]
            )
        )
        (self.dir / "logback.xml").write_text(
            '<configuration><appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">'
            "<encoder><pattern>%d %level %logger{20} %msg%n</pattern></encoder></appender>"
            '<root level="WARN"><appender-ref ref="OUT"/></root></configuration>\n'
        )

    def command(self) -> list[str]:
        return [
            _java(), "-Xmx512m", f"-Dlogback.configurationFile={self.dir / 'logback.xml'}",
            self._classpath_argfile(), "org.gaul.s3proxy.Main", "--properties", str(self.dir / "s3proxy.conf"),
        ]  # fmt: skip

    def healthy(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/")
            return connection.getresponse().status < 500
        except OSError:
            return False
        finally:
            connection.close()

    def after_start(self) -> None:
        # A bucket of the filesystem backend is a directory; s3proxy lists it as soon as it exists.
        (self.dir / "data" / self.settings.s3_bucket).mkdir(parents=True, exist_ok=True)


def all_services(settings: Settings) -> list[Service]:
    """The services in start order."""
    return [PostgresService(settings), KafkaService(settings), S3Service(settings)]


__all__ = ["KafkaService", "PostgresService", "S3Service", "Service", "ServiceError", "all_services"]
