# mypy: untyped-calls-exclude=kombu
"""kombu's filesystem transport with atomic message files (the embedded broker for local runs).

NOTE: kombu's filesystem transport creates a message file and then writes it. A consumer polling at
that moment moves the still-empty file away, fails to decode it and the message is lost. Here a
message is written under a hidden name (ignored by every reader: the queue name is what follows the
first dot) and renamed into place, so it appears whole or not at all.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    """A filesystem channel whose messages appear atomically."""

    # Same signature as kombu's filesystem Channel._put (whose parameter name differs from its base).
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        hidden = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(hidden, "wb") as file:
                file.write(dumps(payload).encode())
            os.replace(hidden, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    """The filesystem transport using the atomic channel."""

    Channel = Channel
