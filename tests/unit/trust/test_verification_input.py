"""verify_bytes on hostile input: a report or UnreadableError, never another exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cruce.trust.did import Resolver
from cruce.trust.report import Report
from cruce.trust.verification import MAX_DEPTH, Evidence, UnreadableError, verify_bytes

pytestmark = pytest.mark.unit
EMPTY = Evidence(Resolver({}))


def _outcome(data: bytes) -> Report | UnreadableError:
    try:
        return verify_bytes(data, EMPTY)
    except UnreadableError as error:
        return error


class TestHostileInput:
    @pytest.mark.parametrize(
        "data",
        [
            b"[" * 100_000 + b"]" * 100_000,
            b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        ],
        ids=["deep-array", "deep-object"],
    )
    def test_json_nested_beyond_the_parser_is_unreadable_not_a_crash(self, data):
        assert isinstance(_outcome(data), UnreadableError)

    def test_a_credential_nested_deeper_than_any_credential_is_refused_unread(self):
        value: object = 1
        for _ in range(MAX_DEPTH + 1):
            value = {"a": value}
        data = json.dumps({"@context": [], "nested": value}).encode()
        outcome = _outcome(data)
        assert isinstance(outcome, UnreadableError)
        assert str(MAX_DEPTH) in outcome.message.render("en")

    @settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(st.binary(max_size=2048))
    def test_any_bytes_give_a_report_or_unreadable(self, data):
        assert isinstance(_outcome(data), Report | UnreadableError)

    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=10), children, max_size=4)
        ),
        max_leaves=30,
    )

    @settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(json_values, st.sampled_from(["@context", "proof", "credentialSubject", "type"]))
    def test_any_json_shaped_like_a_credential_gives_a_report_or_unreadable(self, value, key):
        data = json.dumps({key: value, "proof": value}).encode()
        assert isinstance(_outcome(data), Report | UnreadableError)
