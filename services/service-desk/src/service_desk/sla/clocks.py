"""Clock behaviour: segments in, elapsed business time and due instants out.

A clock is a list of segments (running, paused, stopped). Only running segments count, measured on the
clock's business calendar. Every figure here is recomputed from the segments, so a due time can always be
explained: "ran 09:00-11:00 (2 h), paused 11:00-14:00 (waiting for the customer), running since 14:00".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from service_desk.calendars.hours import BusinessCalendar
from service_desk.calendars.models import Calendar
from service_desk.sla.models import SlaClock, SlaSegment

CalendarLookup = Callable[[str | None], BusinessCalendar]
ALWAYS_OPEN = BusinessCalendar.always_open()


def calendars(session: Session) -> CalendarLookup:
    """A per-call calendar cache: id -> arithmetic; no id (or a missing calendar) counts wall-clock time."""
    cache: dict[str | None, BusinessCalendar] = {None: ALWAYS_OPEN}

    def lookup(calendar_id: str | None) -> BusinessCalendar:
        if calendar_id not in cache:
            stored = session.get(Calendar, calendar_id)
            cache[calendar_id] = stored.hours() if stored is not None else ALWAYS_OPEN
        return cache[calendar_id]

    return lookup


def segment_seconds(segment: SlaSegment, calendar: BusinessCalendar, now: datetime) -> int:
    """Business seconds a segment counted up to `now` (0 unless it is a running one)."""
    if segment.state != "running":
        return 0
    end = segment.ended_at or now
    return calendar.business_seconds(segment.started_at, min(end, now))


def elapsed(clock: SlaClock, calendar: BusinessCalendar, now: datetime) -> int:
    """Business seconds the clock has run until `now`."""
    return sum(segment_seconds(segment, calendar, now) for segment in clock.segments)


def deadline(clock: SlaClock, calendar: BusinessCalendar, seconds: int) -> datetime | None:
    """The instant the clock's running time reaches `seconds`; None if it stopped or paused before."""
    remaining = seconds
    for segment in clock.segments:
        if segment.state != "running":
            continue
        if segment.ended_at is None:
            return calendar.add(segment.started_at, remaining)
        used = calendar.business_seconds(segment.started_at, segment.ended_at)
        if used >= remaining:
            return calendar.add(segment.started_at, remaining)
        remaining -= used
    return None


def refresh(clock: SlaClock, calendar: BusinessCalendar) -> None:
    """Recompute the cached warning and due instants and when the sweep must next look at the clock."""
    clock.warn_at = deadline(clock, calendar, clock.warning_seconds)
    clock.due_at = deadline(clock, calendar, clock.target_seconds)
    if clock.status != "running":
        clock.next_check_at = None
    elif clock.warned_at is None:
        clock.next_check_at = clock.warn_at
    elif clock.breached_at is None:
        clock.next_check_at = clock.due_at
    else:
        clock.next_check_at = None


def move_to(clock: SlaClock, state: str, reason: str, at: datetime) -> None:
    """Close the open segment at `at` and open one in `state` (running, paused or stopped)."""
    current = clock.open_segment
    if current is not None:
        at = max(at, current.started_at)
        if current.started_at == at and current.state != state:
            clock.segments.remove(current)  # nothing happened in it: replace rather than keep an empty one
        else:
            current.ended_at = at
    clock.segments.append(SlaSegment(state=state, reason=reason, started_at=at))


def start(clock: SlaClock, reason: str, at: datetime) -> SlaClock:
    """A new clock running from `at`."""
    clock.status = "running"
    clock.started_at = at
    clock.segments = [SlaSegment(state="running", reason=reason, started_at=at)]
    return clock
