"""Where every record of a Kafka run went: the delivery report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from persona_gen.errors import shorten

if TYPE_CHECKING:
    pass


# -- the delivery report ----------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """Where every record went. ``records == acknowledged + unconfirmed + failed`` once the
    run is over; ``stopped`` says why sending ended early (then the rest of the input was not
    read); ``error`` is the message the run failed with (None when it did not).

    With ``acks=0`` the broker acknowledges nothing: a record the client wrote is counted
    ``unconfirmed``, never ``acknowledged``; one the topic's offsets show never arrived is
    counted failed."""

    destination: str
    encoding: str
    acks: str = "all"
    records: int = 0  # taken from the input
    sent: int = 0  # handed to the producer
    acknowledged: int = 0  # confirmed by the broker (acks=1 or all)
    unconfirmed: int = 0  # acks=0: written to the broker, which confirms nothing
    failed: int = 0  # rejected by the producer or the broker, never confirmed, or lost
    # topic -> partition -> records acknowledged there (acks=0: written, unconfirmed)
    partitions: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)  # error text -> records
    # topic -> the schema id its values are framed with (value.registry / value.schema_id)
    schema_ids: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None
    stopped: str | None = None
    error: str | None = None
    seconds: float = 0.0
    # stopped because no broker could be reached any more: an outage (exit 69, not 1)
    outage: bool = False

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.stopped is None

    def fail(self, message: str, n: int = 1) -> None:
        message = shorten(message)
        self.failed += n
        self.errors[message] += n
        if self.first_error is None:
            self.first_error = message

    def stop(self, reason: str) -> None:
        """Stop taking records (the first reason given is kept)."""
        if self.stopped is None:
            self.stopped = shorten(reason)

    def summary(self) -> str:
        if self.acks == "0":
            done = f"{self.unconfirmed} of {self.records} records sent unconfirmed (acks=0)"
        else:
            done = f"{self.acknowledged} of {self.records} records acknowledged"
        head = f"{self.destination}: {done}, {self.failed} failed"
        if self.stopped:
            head += f"; stopped: {self.stopped}"
        if self.errors:
            shown = self.errors.most_common(3)
            worst = ", ".join(f"{text} ({n})" for text, n in shown)
            head += f"; errors: {worst}"
            if len(self.errors) > len(shown):  # the rest are in the manifest's `errors`
                rest = len(self.errors) - len(shown)
                records = sum(self.errors.values()) - sum(n for _, n in shown)
                head += (
                    f" and {rest} other reason{'s' if rest > 1 else ''} "
                    f"({records} record{'s' if records > 1 else ''})"
                )
        return head

    def to_manifest(self) -> dict[str, Any]:
        """JSON-ready (string keys) for the run manifest's ``delivery`` section."""
        return {
            "destination": self.destination,
            "encoding": self.encoding,
            "acks": self.acks,
            "records": self.records,
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "unconfirmed": self.unconfirmed,
            "failed": self.failed,
            "partitions": {
                topic: {str(p): n for p, n in sorted(counts.items())}
                for topic, counts in sorted(self.partitions.items())
            },
            "errors": dict(self.errors.most_common()),
            **({"schema_ids": dict(sorted(self.schema_ids.items()))} if self.schema_ids else {}),
            "first_error": self.first_error,
            "stopped": self.stopped,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


class Progress(Protocol):
    def advance(self, n: int) -> None: ...
