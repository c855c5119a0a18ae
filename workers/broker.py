"""The dramatiq broker named by ``STROM_BROKER_URL``.

``memory://`` keeps jobs in the process (``strom run`` on one machine: nothing else to install, but
a queue that dies with the process). ``redis://…`` and ``amqp://…`` hold jobs outside any process,
so the API, the projectors and any number of ``strom worker`` processes can share them, and a job
whose worker dies is handed to another.

The Redis broker's own tuning can ride in the URL's query, under dramatiq's names:
``heartbeat_timeout`` (ms without a heartbeat before a worker counts as dead and its jobs go back
on the queue) and ``maintenance_chance`` (per million commands, how often that check runs).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dramatiq
from dramatiq.brokers.stub import StubBroker

SCHEMES = ("memory", "redis", "rediss", "amqp", "amqps")
REDIS_TUNING = ("heartbeat_timeout", "maintenance_chance")


class BrokerUrlError(ValueError):
    """A broker URL this build cannot open."""


def open_broker(url: str) -> dramatiq.Broker:
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise BrokerUrlError(
            f"STROM_BROKER_URL={url!r}: expected one of {', '.join(s + '://…' for s in SCHEMES)}"
        )
    if scheme == "memory":
        return StubBroker()
    if scheme.startswith("redis"):
        from dramatiq.brokers.redis import RedisBroker

        plain, tuning = split_tuning(url)
        return RedisBroker(url=plain, **tuning)  # type: ignore[no-untyped-call]  # dramatiq's own code
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    return RabbitmqBroker(url=url)


def is_durable(broker: dramatiq.Broker) -> bool:
    """Whether queued jobs outlive this process."""
    return not isinstance(broker, StubBroker)


def split_tuning(url: str) -> tuple[str, dict[str, int]]:
    """The URL without our tuning parameters, and those parameters as whole numbers."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    tuning: dict[str, int] = {}
    for name, value in query:
        if name in REDIS_TUNING:
            if not value.isdigit():
                raise BrokerUrlError(f"broker URL parameter {name}={value!r} must be a whole number")
            tuning[name] = int(value)
    rest = [(name, value) for name, value in query if name not in REDIS_TUNING]
    return urlunsplit(parts._replace(query=urlencode(rest))), tuning
