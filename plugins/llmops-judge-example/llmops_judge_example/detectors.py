"""Finding personal data in text: emails, phone numbers, payment card numbers and US social
security numbers.

Plain regular expressions, tuned against what a support assistant's answers contain besides
personal data (order ids like `A4821937`, tracking numbers like `1Z8V7W460394712285` or
`9400111899223849116023`, dates, prices), because a PII judge that cries wolf gets switched
off:

- a card is 13 to 19 digits (spaces or dashes allowed between them) that pass the Luhn check,
  which random ids and tracking numbers fail nine times in ten;
- a phone number has 10 to 15 digits and is written like one: a leading `+`, or groups
  separated by spaces, dots, dashes or parentheses (a bare run of digits is an id);
- a social security number is written `123-45-6789`, outside the ranges never issued.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

KINDS = ("email", "phone", "card", "ssn")

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{10,15}|(?:\+\d{1,3}[ .-]?|\d{1,3}[ .-])?(?:\(\d{1,4}\)[ .-]?)?"
    r"\d{2,4}(?:[ .-]\d{2,4}){1,4})(?![\w-])"
)
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    text: str
    start: int
    end: int

    @property
    def masked(self) -> str:
        """Enough to find it in the answer, not enough to leak it again in a report."""
        if self.kind == "email":
            local, _, domain = self.text.partition("@")
            return f"{local[:1]}…@{domain}"
        return "…" + digits(self.text)[-4:]


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def luhn_valid(number: str) -> bool:
    """The checksum every payment card number satisfies (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _cards(text: str) -> Iterator[Finding]:
    for match in _CARD.finditer(text):
        number = digits(match.group(0))
        if 13 <= len(number) <= 19 and luhn_valid(number):
            yield Finding("card", match.group(0), match.start(), match.end())


def _phones(text: str) -> Iterator[Finding]:
    for match in _PHONE.finditer(text):
        if 10 <= len(digits(match.group(0))) <= 15:
            yield Finding("phone", match.group(0), match.start(), match.end())


def _pattern(kind: str, pattern: re.Pattern[str]) -> Callable[[str], Iterator[Finding]]:
    def find(text: str) -> Iterator[Finding]:
        for match in pattern.finditer(text):
            yield Finding(kind, match.group(0), match.start(), match.end())

    return find


# Cards first: a 15-digit card written in groups also looks like a phone number, and the
# first finding to claim a span keeps it.
_FINDERS: dict[str, Callable[[str], Iterator[Finding]]] = {
    "card": _cards,
    "ssn": _pattern("ssn", _SSN),
    "email": _pattern("email", _EMAIL),
    "phone": _phones,
}


def find_pii(text: str, kinds: tuple[str, ...] = KINDS) -> list[Finding]:
    """Every piece of personal data of the given kinds in `text`, in reading order."""
    found: list[Finding] = []
    for kind, finder in _FINDERS.items():
        if kind not in kinds:
            continue
        for finding in finder(text):
            if not any(f.start < finding.end and finding.start < f.end for f in found):
                found.append(finding)
    return sorted(found, key=lambda f: f.start)
