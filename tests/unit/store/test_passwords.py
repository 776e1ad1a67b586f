from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from cruce.store.passwords import (
    PASSWORD_HASHER,
    PasswordPolicyError,
    TokenKind,
    check_password_policy,
    hash_password,
    needs_rehash,
    new_csrf_token,
    new_token,
    parse_token,
    token_digest,
    verify_csrf_token,
    verify_password,
    verify_token,
)

CHEAP = PasswordHasher.from_parameters(CHEAPEST)
PASSWORD = "correct horse battery staple"  # noqa: S105


class TestPasswordHashing:
    def test_default_parameters_are_rfc_9106_low_memory_argon2id(self):
        assert PASSWORD_HASHER.time_cost == 3
        assert PASSWORD_HASHER.memory_cost == 65536
        assert PASSWORD_HASHER.parallelism == 4

    def test_round_trip(self):
        stored = hash_password(PASSWORD, hasher=CHEAP)
        assert stored.startswith("$argon2id$")
        assert verify_password(stored, PASSWORD, hasher=CHEAP)

    def test_a_wrong_password_is_false(self):
        stored = hash_password(PASSWORD, hasher=CHEAP)
        assert not verify_password(stored, PASSWORD + "!", hasher=CHEAP)

    def test_composed_and_decomposed_unicode_are_one_password(self):
        stored = hash_password("contraseña segura", hasher=CHEAP)
        assert verify_password(stored, "contrasen\u0303a segura", hasher=CHEAP)

    @pytest.mark.parametrize(
        "stored", ["", "plain", "$argon2id$v=19$m=8,t=1,p=1$zzz", "$argon2id$v=19$m=8"]
    )
    def test_a_malformed_hash_is_false(self, stored):
        assert not verify_password(stored, PASSWORD, hasher=CHEAP)

    def test_no_account_is_false(self):
        assert not verify_password(None, PASSWORD, hasher=CHEAP)

    def test_needs_rehash_when_parameters_change(self):
        stored = hash_password(PASSWORD, hasher=CHEAP)
        assert not needs_rehash(stored, hasher=CHEAP)
        stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
        assert needs_rehash(stored, hasher=stronger)
        assert needs_rehash("not a hash", hasher=CHEAP)


class TestPasswordPolicy:
    @pytest.mark.parametrize("password", ["a" * 12, "ñ" * 12, " " * 12, "x" * 1024])
    def test_accepts_12_to_1024_characters_of_any_kind(self, password):
        check_password_policy(password)

    def test_refuses_short_passwords_naming_the_rule(self):
        with pytest.raises(PasswordPolicyError, match="at least 12") as caught:
            check_password_policy("a" * 11)
        assert caught.value.code == "password.too_short"

    def test_refuses_long_passwords_naming_the_rule(self):
        with pytest.raises(PasswordPolicyError, match="at most 1,024") as caught:
            check_password_policy("a" * 1025)
        assert caught.value.code == "password.too_long"


class TestTokens:
    def test_tokens_are_unique_and_long(self):
        issued = [new_token(TokenKind.API) for _ in range(100)]
        assert len({item.token for item in issued}) == 100
        assert all(len(item.token.split("_", 3)[-1]) >= 43 for item in issued)

    def test_the_digest_is_the_stable_sha256_of_the_token(self):
        issued = new_token(TokenKind.SESSION)
        assert issued.digest == token_digest(issued.token)
        assert len(issued.digest) == 64
        assert token_digest("abc") == (
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )

    def test_the_lookup_prefix_is_public_and_parsed_back(self):
        issued = new_token(TokenKind.INVITATION)
        assert issued.token.startswith(f"cruce_invite_{issued.lookup}_")
        assert parse_token(issued.token) == parse_token(issued.token)
        parsed = parse_token(issued.token)
        assert parsed is not None
        assert (parsed.kind, parsed.lookup) == (TokenKind.INVITATION, issued.lookup)
        assert issued.token not in repr(issued)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "cruce_api",
            "cruce_nope_0123456789ab_x",
            "other_api_0123456789ab_x",
            "cruce_api_XYZ_x",
            "cruce_api_0123456789ab_",
            "cruce_api_0123456789ab_" + "x" * 300,
        ],
    )
    def test_other_text_is_not_a_token(self, text):
        assert parse_token(text) is None

    def test_verify_token(self):
        issued = new_token(TokenKind.API)
        assert verify_token(issued.token, issued.digest)
        assert not verify_token(issued.token + "x", issued.digest)


class TestCsrf:
    def test_csrf_token_and_digest(self):
        csrf = new_csrf_token()
        assert verify_csrf_token(csrf.token, csrf.digest)
        assert not verify_csrf_token(new_csrf_token().token, csrf.digest)
        assert not verify_csrf_token(None, csrf.digest)
        assert not verify_csrf_token(csrf.token, "")
        assert csrf.token not in repr(csrf)
