"""Opaque pagination tokens: a signed keyset position that a client cannot forge.

A token is ``base64url(JSON payload) "." base64url(HMAC-SHA256)``. The payload holds the
operation and its scope (path ids), the keyset position (the last key served, never an
offset, so inserts during paging neither skip nor repeat a row), the query's own
parameters as first sent, the cached totalCount with the time it was counted, and the
time the token was issued (tokens expire after a configurable lifetime).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass, replace
from typing import Any

import orjson

_SIGNATURE_BYTES = 16


class InvalidToken(ValueError):
    """A token that was not issued by this simulator for this operation."""


class ExpiredToken(InvalidToken):
    """A genuine token older than the configured lifetime."""


@dataclass(frozen=True)
class TokenPosition:
    """Where a listing stopped, and what it was asked, as carried by a token."""

    operation: str
    scope: str  # the path id of the listing ("" when none): a token is not portable
    after: list[Any]
    params: dict[str, Any]  # the query's parameters as the first page received them
    total_count: int
    counted_at: float  # epoch seconds
    issued_at: float = 0.0

    def to_payload(self) -> dict[str, Any]:
        return {
            "o": self.operation, "s": self.scope, "k": self.after, "p": self.params,
            "t": self.total_count, "c": self.counted_at, "i": self.issued_at,
        }  # fmt: skip

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> TokenPosition:
        return cls(
            operation=payload["o"], scope=payload["s"], after=payload["k"],
            params=payload["p"], total_count=payload["t"], counted_at=payload["c"],
            issued_at=payload["i"],
        )  # fmt: skip


class PaginationTokens:
    """Issues and checks tokens with one secret and one lifetime."""

    def __init__(self, secret: bytes, lifetime_seconds: float) -> None:
        self._secret = secret
        self.lifetime_seconds = lifetime_seconds

    def issue(self, position: TokenPosition, now: float) -> str:
        body = _encode(orjson.dumps(replace(position, issued_at=now).to_payload()))
        return f"{body}.{self._sign(body)}"

    def read(self, token: str, operation: str, scope: str, now: float) -> TokenPosition:
        """The position a token carries; raises InvalidToken or ExpiredToken."""
        position = self._verified(token)
        if position.operation != operation or position.scope != scope:
            raise InvalidToken("the paginationToken belongs to another listing")
        if now - position.issued_at > self.lifetime_seconds:
            raise ExpiredToken("the paginationToken has expired; start the listing again")
        return position

    def _verified(self, token: str) -> TokenPosition:
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            raise InvalidToken("the paginationToken is not one this API issued")
        try:
            return TokenPosition.from_payload(orjson.loads(_decode(body)))
        except (KeyError, TypeError, ValueError, binascii.Error) as error:
            raise InvalidToken("the paginationToken is malformed") from error

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        return _encode(digest[:_SIGNATURE_BYTES])


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
