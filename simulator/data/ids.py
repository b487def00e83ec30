"""Spruce-shaped opaque ids that sort in creation order and decode back to an index.

An id is ``<prefix><salt><index>`` in Crockford base32 with fixed widths, so that string
order equals index order (keyset paging by id) and a ``get`` can find a lazily generated
record from its id alone. The salt comes from the seed: two organizations never share ids.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
SALT_WIDTH = 3
INDEX_WIDTH = 9


def encode(number: int, width: int) -> str:
    """``number`` in base32, left-padded to ``width`` characters."""
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    if number:
        raise ValueError(f"{number} does not fit in {width} base32 characters")
    return "".join(reversed(chars))


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


class ItemIdCodec:
    """Conversation item ids: the conversation's index and the item's sequence number."""

    CONVERSATION_WIDTH = 7
    SEQUENCE_WIDTH = 5

    def __init__(self, prefix: str, seed: int) -> None:
        self._codec = IdCodec(prefix, seed, self.CONVERSATION_WIDTH + self.SEQUENCE_WIDTH)

    def make(self, conversation: int, sequence: int) -> str:
        """The id of item ``sequence`` of conversation ``conversation``."""
        return self._codec.make(conversation * 32**self.SEQUENCE_WIDTH + sequence)

    def parse(self, record_id: str) -> tuple[int, int] | None:
        """(conversation index, sequence) of ``record_id``, or None for a foreign id."""
        number = self._codec.parse(record_id)
        if number is None:
            return None
        return divmod(number, 32**self.SEQUENCE_WIDTH)
