"""A sign-in for an unknown name costs what a wrong password costs: the stand-in hash has the hasher's parameters."""

from argon2.exceptions import VerifyMismatchError

from engine.services.admin import accounts


def test_the_stand_in_hash_is_one_the_hasher_would_make_now() -> None:
    assert not accounts._HASHER.check_needs_rehash(accounts._DUMMY_HASH)
    try:
        accounts._HASHER.verify(accounts._DUMMY_HASH, "a guess")
    except VerifyMismatchError:
        pass
    else:  # pragma: no cover - the stand-in must never accept a password
        raise AssertionError("the stand-in hash accepted a password")
