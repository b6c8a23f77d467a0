"""The queue is the database unless REDIS_URL names a Redis server; the Redis worker is
refused where jobs are queued in the database."""

import pytest
from django.core.management import CommandError, call_command


def test_the_redis_worker_needs_redis(settings):
    settings.REDIS_URL = ""

    with pytest.raises(CommandError, match="run db_worker, or set REDIS_URL"):
        call_command("rqworker", "--burst")
