"""Parsing raw mail: sender, subject token, threading ids, reply text, attachments, malformed input."""

from __future__ import annotations

import pytest

from service_desk.mail.errors import MailInvalid, MailMalformed
from service_desk.mail.parsing import parse_mail, strip_quoted

SIMPLE = (
    b"From: =?utf-8?q?Jana_N=C3=B3vak?= <Jana@Acme.Example>\r\n"
    b"Subject: Re: [#T-1042] Export fails\r\n"
    b"Message-ID: <abc@acme.example>\r\n"
    b"In-Reply-To: <first@crm.example>\r\n"
    b"References: <zero@crm.example> <first@crm.example>\r\n"
    b"\r\n"
    b"Thanks, it works now.\r\n\r\nOn Mon, 2 Mar 2026 at 09:00 Support wrote:\r\n> Please try again\r\n"
)


def test_reads_sender_token_threading_and_reply_text() -> None:
    mail = parse_mail(SIMPLE)
    assert (mail.sender, mail.sender_name) == ("jana@acme.example", "Jana Nóvak")
    assert mail.ticket_number == 1042
    assert mail.message_id == "<abc@acme.example>"
    assert mail.references == ["<first@crm.example>", "<zero@crm.example>"]
    assert mail.reply_text == "Thanks, it works now."
    assert "Please try again" in mail.text


def test_reply_to_wins_over_from() -> None:
    raw = b"From: noreply@portal.example\r\nReply-To: jana@acme.example\r\nSubject: x\r\n\r\nbody"
    assert parse_mail(raw).sender == "jana@acme.example"


def test_a_missing_message_id_gets_a_stable_one() -> None:
    raw = b"From: jana@acme.example\r\nSubject: x\r\n\r\nbody"
    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id.endswith("@generated.servicedesk>")


def test_html_only_mail_becomes_text_and_no_subject_gets_a_placeholder() -> None:
    raw = b"From: jana@acme.example\r\nContent-Type: text/html\r\n\r\n<p>Hello &amp; <b>help</b></p>"
    mail = parse_mail(raw)
    assert mail.subject == "(no subject)"
    assert " ".join(mail.text.split()) == "Hello & help"


def test_nested_attachments_are_found() -> None:
    raw = (
        b"From: jana@acme.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="A"\r\n\r\n'
        b'--A\r\nContent-Type: multipart/alternative; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nsee files\r\n--B\r\nContent-Type: text/html\r\n\r\n<p>see files</p>\r\n--B--\r\n"
        b'--A\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="../../etc/passwd.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--A--\r\n"
    )
    mail = parse_mail(raw)
    assert mail.text == "see files"
    [file] = mail.files
    assert (file.filename, file.content_type, file.content) == (
        "_.._etc_passwd.pdf",
        "application/pdf",
        b"%PDF-",
    )


@pytest.mark.parametrize("raw", [b"", b"\r\n\r\n", b"no headers here at all", b"\xff\xfe\x00\x01"])
def test_non_messages_are_malformed(raw: bytes) -> None:
    with pytest.raises(MailMalformed):
        parse_mail(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"Subject: no sender\r\n\r\nbody",
        b"From: Jana\r\nSubject: x\r\n\r\nbody",
        b"From: jana@localhost\r\nSubject: x\r\n\r\nbody",
        b"From: a b@c.example\r\nSubject: x\r\n\r\nbody",
    ],
)
def test_unusable_senders_are_invalid(raw: bytes) -> None:
    with pytest.raises(MailInvalid) as caught:
        parse_mail(raw)
    assert caught.value.errors[0]["field"] == "From"


def test_strip_quoted_keeps_the_whole_text_when_everything_is_quoted() -> None:
    assert strip_quoted("> only a quote") == "> only a quote"
    assert strip_quoted("New text\n-----Original Message-----\nold") == "New text"
