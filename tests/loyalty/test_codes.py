"""Loyalty card codes: unguessable, unique, and a check character that catches typos."""

import pytest

from loyalty import codes
from loyalty.models import LoyaltyCard
from loyalty.services import card_batch_generate, unused_codes
from tests.factories import OPS

LOOK_ALIKES = set("01OIL")


@pytest.fixture
def code():
    return codes.new_code()


def test_a_code_is_ten_characters_without_look_alikes(code):
    assert len(code) == 10
    assert set(code) <= set(codes.ALPHABET)
    assert not set(codes.ALPHABET) & LOOK_ALIKES
    assert codes.is_valid(code)


def test_every_single_mistyped_character_is_caught():
    for _ in range(50):
        code = codes.new_code()
        for position in range(len(code)):
            for wrong in codes.ALPHABET:
                if wrong != code[position]:
                    typo = code[:position] + wrong + code[position + 1 :]
                    assert not codes.is_valid(typo), typo


def test_every_swap_of_two_different_neighbours_is_caught():
    for _ in range(200):
        code = codes.new_code()
        for position in range(len(code) - 1):
            a, b = code[position], code[position + 1]
            if a != b:
                swapped = code[:position] + b + a + code[position + 2 :]
                assert not codes.is_valid(swapped), swapped


def test_codes_come_from_secrets_and_do_not_repeat():
    generated = {codes.new_code() for _ in range(10_000)}

    assert len(generated) == 10_000


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("abcde fghjk", "ABCDEFGHJK"), (" 7k3m-q9xr-2a ", "7K3MQ9XR2A"), ("", "")],
)
def test_what_people_type_is_normalised(typed, stored):
    assert codes.normalise(typed) == stored


def test_each_problem_has_its_own_message(code):
    assert codes.problem_with(code) == ""
    assert "has 10 characters; this one has 9" in codes.problem_with(code[:9])
    assert "no 0, O" in codes.problem_with("O0" + code[2:])
    typo = code[:3] + ("2" if code[3] != "2" else "3") + code[4:]
    assert "check character does not match" in codes.problem_with(typo)


def test_a_batch_is_stored_with_codes_no_card_had(db):
    first = card_batch_generate(size=50, actor=OPS)
    second = card_batch_generate(size=50, actor=OPS)

    stored = list(LoyaltyCard.objects.values_list("code", flat=True))
    assert len(stored) == len(set(stored)) == 100
    assert first.cards.count() == second.cards.count() == 50
    assert not set(unused_codes(20)) & set(stored)
