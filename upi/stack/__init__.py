"""The local stack: real Postgres, Kafka and S3 servers plus the Spark jars, installed and run without Docker.

Example::

    $ upi stack up        # installs what is missing, starts every service, waits for health checks
    $ eval "$(upi stack env)"
    $ upi stack status
    $ upi stack down      # stops what `up` started, by pid
"""
