"""Marshmallow fields shared by the features: times, web addresses, tags, e-mail addresses, phones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma

from crmkit.events.envelope import format_time
from customer import normalize

TAG_LENGTH = 50


class Timestamp(ma.fields.AwareDateTime):
    """RFC 3339 in UTC with `Z` on the way out (as in events); an explicit offset required on the way in."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return format_time(value) if value is not None else None


class Website(ma.fields.String):
    """A web address with a domain name (`acme.com` or `https://www.acme.com/about`), kept as given."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            normalize.web_domain(text)
        except ValueError as error:
            raise ma.ValidationError(f"{error}, such as acme.com or https://www.acme.com") from None
        return text


class Tag(ma.fields.String):
    """A tag, trimmed and lower-cased, inner spaces collapsed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        tag = " ".join(super()._deserialize(value, attr, data, **kwargs).split()).casefold()
        if not 1 <= len(tag) <= TAG_LENGTH:
            raise ma.ValidationError(f"a tag has 1 to {TAG_LENGTH} characters")
        return tag


class EmailAddress(ma.fields.String):
    """An e-mail address, trimmed and lower-cased."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return normalize.email_key(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None


class PhoneNumber(ma.fields.String):
    """A phone number, kept as entered (trimmed) once it reads as one."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        number = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            normalize.phone_key(number)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None
        return number


class Name(ma.fields.String):
    """A display name of 1 to 200 characters that has at least one letter or digit."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        name = " ".join(super()._deserialize(value, attr, data, **kwargs).split())
        if not 1 <= len(name) <= 200 or not normalize.name_key(name):
            raise ma.ValidationError("a name has 1 to 200 characters, at least one a letter or digit")
        return name
