import random
import re

from engine.references import check_digit, format_reference, is_valid, new_reference, normalise_reference

SAMPLES = 400


def _digits(reference: str) -> str:
    return reference.replace("-", "")


def test_new_references_are_ten_digits_with_a_dash_and_a_valid_check_digit() -> None:
    references = {new_reference() for _ in range(SAMPLES)}
    assert len(references) == SAMPLES  # random, so consecutive applications do not reveal each other
    for reference in references:
        assert re.fullmatch(r"[1-9]\d{4}-\d{5}", reference), reference
        assert is_valid(_digits(reference))


def test_check_digit_catches_every_single_digit_change() -> None:
    rng = random.Random(20250601)
    for _ in range(SAMPLES):
        digits = _digits(new_reference())
        position = rng.randrange(len(digits))
        for replacement in "0123456789":
            if replacement == digits[position]:
                continue
            typo = digits[:position] + replacement + digits[position + 1 :]
            assert not is_valid(typo), (digits, typo)
            assert normalise_reference(typo) is None


def test_check_digit_catches_every_adjacent_swap() -> None:
    for _ in range(SAMPLES):
        digits = _digits(new_reference())
        for i in range(len(digits) - 1):
            if digits[i] == digits[i + 1]:
                continue
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
            assert not is_valid(swapped), (digits, swapped)


def test_check_digit_of_known_value() -> None:
    # Verhoeff's published example: 236 -> check digit 3
    assert check_digit("236") == "3"
    assert format_reference("1234567890") == "12345-67890"


def test_normalise_accepts_what_people_type() -> None:
    reference = new_reference()
    digits = _digits(reference)
    spaced = " ".join([digits[:3], digits[3:6], digits[6:]])
    assert normalise_reference(reference) == reference
    assert normalise_reference(digits) == reference
    assert normalise_reference(f"  {spaced} ") == reference
    assert normalise_reference(f"{digits[:5]}--{digits[5:]}") == reference


def test_normalise_rejects_wrong_check_digit_wrong_length_and_letters() -> None:
    digits = _digits(new_reference())
    wrong_last = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert normalise_reference(wrong_last) is None
    assert normalise_reference(digits[:-1]) is None
    assert normalise_reference(digits + "0") is None
    assert normalise_reference(digits[:5] + "A" + digits[5:]) is None
    assert normalise_reference("") is None
