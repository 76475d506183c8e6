"""argon2id hashing and verification."""

from __future__ import annotations

from gateway.identity.passwords import Passwords, generate_password


def test_hashes_with_argon2id_and_verifies():
    passwords = Passwords("CHEAPEST")
    hashed = passwords.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "correct horse battery")
    assert not passwords.verify(hashed, "correct horse battery!")


def test_the_same_password_hashes_differently_each_time():
    passwords = Passwords("CHEAPEST")
    assert passwords.hash("same password") != passwords.hash("same password")


def test_a_damaged_hash_never_verifies():
    passwords = Passwords("CHEAPEST")
    assert not passwords.verify("not-a-hash", "anything")
    assert passwords.needs_rehash("not-a-hash")


def test_hashes_made_with_other_parameters_need_rehashing():
    old = Passwords("CHEAPEST").hash("a password here")
    assert Passwords("RFC_9106_LOW_MEMORY").needs_rehash(old)
    assert not Passwords("CHEAPEST").needs_rehash(old)


def test_the_dummy_check_runs_without_a_user():
    passwords = Passwords("CHEAPEST")
    passwords.verify_dummy("whatever")
    passwords.verify_dummy("whatever again")


def test_generated_passwords_are_long_and_random():
    first, second = generate_password(), generate_password()
    assert len(first) >= 20
    assert first != second
