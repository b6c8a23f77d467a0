"""Loyalty card codes: 10 characters, the last one a check character.

The alphabet leaves out the characters people mistake for others (0/O, 1/I/L), which
leaves 31: a prime. The check character makes ``sum(position * value)`` over the whole
code (positions 1 to 10) a multiple of 31. Changing one character by ``d`` changes that sum
by ``position * d``, and swapping neighbours ``a, b`` changes it by ``±(a - b)``; with 31
prime and every factor between 1 and 30 in size, neither is ever a multiple of 31, so every
single mistyped character and every swap of two different neighbours is caught.

The first nine characters come from ``secrets``: 31**9 (2.6e13) codes, so a guessed code
is almost never one printed, let alone one in use.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MODULUS = len(ALPHABET)  # 31, prime
VALUES = {character: value for value, character in enumerate(ALPHABET)}
# What people type around a code: spaces and hyphens from grouping it, any case.
SEPARATORS = re.compile(r"[\s\-]+")


def weighted_sum(characters):
    return sum(position * VALUES[character] for position, character in enumerate(characters, 1))


def check_character(body):
    """The character that completes the nine characters of ``body`` into a valid code."""
    # Solve weighted_sum(body) + CODE_LENGTH * check = 0 (mod 31) for check.
    check = -weighted_sum(body) * pow(CODE_LENGTH, -1, MODULUS) % MODULUS
    return ALPHABET[check]


def new_code():
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH - 1))
    return body + check_character(body)


def normalise(typed):
    """A code as stored, from what was typed or scanned: capitals, no spaces or hyphens."""
    return SEPARATORS.sub("", typed or "").upper()


def is_valid(code):
    """Whether ``code`` (normalised) is well formed: length, alphabet and check character."""
    return (
        len(code) == CODE_LENGTH
        and all(character in VALUES for character in code)
        and weighted_sum(code) % MODULUS == 0
    )


def problem_with(code):
    """Why ``code`` (normalised) cannot be a loyalty card code, or "" when it can."""
    if len(code) != CODE_LENGTH:
        return f"A loyalty card code has {CODE_LENGTH} characters; this one has {len(code)}."
    strangers = sorted({character for character in code if character not in VALUES})
    if strangers:
        return (
            f"A loyalty card code has no {', '.join(strangers)}: codes use the digits 2-9 and "
            "letters other than I, L and O. Check the card."
        )
    if not is_valid(code):
        return "This code is mistyped: its check character does not match. Check the card."
    return ""
