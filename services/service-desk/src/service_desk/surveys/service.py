"""Satisfaction surveys: sent when a ticket is resolved (a single-use secret link), answered once without
login, a low rating reopens or flags the ticket; results per agent, group, account and period."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.events.outbox import record
from service_desk import clock, config
from service_desk import events_catalog as catalog
from service_desk.surveys.errors import SurveyAnswered, SurveyExpired, SurveyNotFound
from service_desk.surveys.events import survey_state
from service_desk.surveys.models import Survey
from service_desk.tickets.models import Ticket, TicketComment


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_survey(session: Session, ticket: Ticket, now: datetime) -> str:
    """Create the ticket's survey (older unanswered ones expire) and post its link as a public comment,
    which the requester receives with the resolution. Return the token (only its hash is kept)."""
    session.execute(
        sa.update(Survey)
        .where(Survey.ticket_id == ticket.id, Survey.answered_at.is_(None), Survey.expires_at > now)
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    survey = Survey(
        token_hash=token_hash(token),
        ticket_id=ticket.id,
        account_id=ticket.account_id,
        agent_id=ticket.assignee_id,
        group_id=ticket.group_id,
        requester_email=ticket.requester_email,
        sent_at=now,
        expires_at=now + timedelta(days=config.survey_valid_days()),
    )
    session.add(survey)
    link = f"{config.survey_link_base()}{token}"
    session.add(
        TicketComment(
            ticket_id=ticket.id,
            kind="public",
            author_kind="system",
            body=f"Your request {ticket.reference} was resolved. How did we do? Rate us from 1 to 5: {link}",
            channel="web",
            seq=ticket.next_comment_seq(),
            created_at=now,
        )
    )
    session.flush()
    return token


def read_survey(*, uow: crmkit.UnitOfWork, token: str) -> dict[str, Any]:
    """What the public survey page shows: the ticket's reference and subject, and whether it can be answered."""
    with uow:
        survey = _by_token(uow.session, token)
        ticket = uow.session.get(Ticket, survey.ticket_id)
        assert ticket is not None
        return {
            "ticket_reference": ticket.reference,
            "subject": ticket.subject,
            "state": _state(survey, clock.now()),
            "rating": survey.rating,
            "comment": survey.comment,
            "expires_at": survey.expires_at,
        }


def answer_survey(*, uow: crmkit.UnitOfWork, token: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Take the rating once; a low one reopens the ticket (or flags it), as configured."""
    with uow:
        session = uow.session
        now = clock.now()
        survey = _by_token(session, token)
        _refuse_unanswerable(survey, now)
        _claim(session, survey, data, now)
        ticket = session.get(Ticket, survey.ticket_id)
        assert ticket is not None
        low = int(data["rating"]) <= config.survey_low_rating()
        if low:
            survey.action_taken = _act_on_low_rating(session, ticket, survey, now)
        session.flush()
        record(
            session,
            catalog.SURVEY_ANSWERED,
            subject=survey.id,
            data=survey_state(survey, ticket.reference, low),
            sequence=1,
        )
        uow.commit()
        return {"state": "answered", "rating": survey.rating, "comment": survey.comment}


def _claim(session: Session, survey: Survey, data: Mapping[str, Any], now: datetime) -> None:
    """Record the answer only if nobody answered meanwhile (a conditional UPDATE: single use even when two
    answers race)."""
    claimed = session.execute(
        sa.update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None))
        .values(rating=data["rating"], comment=data.get("comment") or None, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise SurveyAnswered("This survey was already answered; thank you.")
    session.refresh(survey)


def _act_on_low_rating(session: Session, ticket: Ticket, survey: Survey, now: datetime) -> str:
    from service_desk.tickets.service import transition

    reason = f"Low satisfaction rating ({survey.rating}/5)."
    ticket.flagged = True
    ticket.flag_reason = reason
    ticket.updated_at = now
    if config.survey_low_rating_action() == "reopen" and ticket.status in ("resolved", "closed"):
        transition(session, ticket, "open", now, reason=reason)
        return "reopened"
    session.flush()
    return "flagged"


def _by_token(session: Session, token: str) -> Survey:
    survey = session.scalars(sa.select(Survey).where(Survey.token_hash == token_hash(token))).first()
    if survey is None:
        raise SurveyNotFound("No survey has this link; check that it was copied whole.")
    return survey


def _state(survey: Survey, now: datetime) -> str:
    if survey.answered_at is not None:
        return "answered"
    return "expired" if survey.expires_at <= now else "open"


def _refuse_unanswerable(survey: Survey, now: datetime) -> None:
    state = _state(survey, now)
    if state == "answered":
        raise SurveyAnswered("This survey was already answered; thank you.")
    if state == "expired":
        raise SurveyExpired("This survey link has expired.")
