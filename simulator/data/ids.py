"""Spruce-shaped opaque ids that sort in creation order and decode back to an index.

An id is ``<prefix><salt><index>`` in Crockford base32 with fixed widths, so that string
order equals index order (keyset paging by id) and a ``get`` can find a lazily generated
record from its id alone. The salt comes from the seed: two organizations never share ids.
"""

from __future__ import annotations

from functools import lru_cache

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
SALT_WIDTH = 3
INDEX_WIDTH = 9


# Two digits at a time: ids are made for every generated record, so this is hot.
_PAIRS = [high + low for high in ALPHABET for low in ALPHABET]


def encode(number: int, width: int) -> str:
    """``number`` in base32, left-padded to ``width`` characters."""
    parts = []
    remaining = width
    while remaining >= 2:
        number, pair = divmod(number, 1024)
        parts.append(_PAIRS[pair])
        remaining -= 2
    if remaining:
        number, digit = divmod(number, 32)
        parts.append(ALPHABET[digit])
    if number:
        raise ValueError(f"the number does not fit in {width} base32 characters")
    return "".join(reversed(parts))


def decode(text: str) -> int | None:
    """The number ``text`` encodes, or None when it is not base32."""
    number = 0
    for char in text:
        value = _VALUES.get(char)
        if value is None:
            return None
        number = number * 32 + value
    return number


class IdCodec:
    """Makes and parses the ids of one kind of record for one organization."""

    def __init__(self, prefix: str, seed: int, width: int = INDEX_WIDTH) -> None:
        self.prefix = prefix + encode(seed % 32**SALT_WIDTH, SALT_WIDTH)
        self.width = width

    def make(self, index: int) -> str:
        """The id of record number ``index``."""
        return self.prefix + encode(index, self.width)

    def parse(self, record_id: str) -> int | None:
        """The index ``record_id`` names, or None when it is not one of this codec's ids."""
        if len(record_id) != len(self.prefix) + self.width:
            return None
        if not record_id.startswith(self.prefix):
            return None
        return decode(record_id[len(self.prefix) :])


# Item ids repeat their conversation part and small sequence numbers: worth caching.
_cached_encode = lru_cache(maxsize=8192)(encode)


class ItemIdCodec:
    """Conversation item ids: the conversation's index and the item's sequence number."""

    CONVERSATION_WIDTH = 7
    SEQUENCE_WIDTH = 5

    def __init__(self, prefix: str, seed: int) -> None:
        self._codec = IdCodec(prefix, seed, self.CONVERSATION_WIDTH + self.SEQUENCE_WIDTH)

    def make(self, conversation: int, sequence: int) -> str:
        """The id of item ``sequence`` of conversation ``conversation``."""
        return (self._codec.prefix + _cached_encode(conversation, self.CONVERSATION_WIDTH)
                + _cached_encode(sequence, self.SEQUENCE_WIDTH))

    def parse(self, record_id: str) -> tuple[int, int] | None:
        """(conversation index, sequence) of ``record_id``, or None for a foreign id."""
        number = self._codec.parse(record_id)
        if number is None:
            return None
        conversation, sequence = divmod(number, 32**self.SEQUENCE_WIDTH)
        return conversation, sequence
