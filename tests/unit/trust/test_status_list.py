from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cruce.trust import status_list
from cruce.trust.jose import b64url_encode
from cruce.trust.status_list import (
    MIN_ENTRIES,
    ProcessingError,
    StatusList,
    StatusListError,
    StatusListFullError,
    StatusPurpose,
)

pytestmark = pytest.mark.unit

LIST_URL = "https://example.com/credentials/status/3"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

# Bitstring Status List v1.0 (W3C Recommendation, 15 May 2025), Example 3: 131,072 zero bits
SPEC_EXAMPLE_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
SPEC_EXAMPLE_CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "https://example.com/credentials/status/3",
    "type": ["VerifiableCredential", "BitstringStatusListCredential"],
    "issuer": "did:example:12345",
    "validFrom": "2021-04-05T14:27:40Z",
    "credentialSubject": {
        "id": "https://example.com/status/3#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": SPEC_EXAMPLE_LIST,
    },
}
# Example 1's entry for the same list
SPEC_EXAMPLE_ENTRY = {
    "id": "https://example.com/credentials/status/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://example.com/credentials/status/3",
}
# An independent implementation's vector (trustbloc/vcs, bitstring status list test): the list
# of the DHS SVIP USCIS example with index 4000 revoked, asserted there with IsSet(vc, 4000).
INTEROP_LIST = "uH4sIAAAAAAAAA-3OMQEAAAgDoEU3ugEWwENIQMI3cx0AAAAAAAAAAAAAAAAAAACgLGiNcIEAQAAA"


def _list_credential(encoded, purpose="revocation", **extra):
    subject = {"type": "BitstringStatusList", "statusPurpose": purpose, "encodedList": encoded}
    return {
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "id": LIST_URL,
        "credentialSubject": subject,
        **extra,
    }


def _entry(index, purpose="revocation", **extra):
    return {
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
        **extra,
    }


def _set_bits(bitstring):
    """The indices whose bit is set, most significant bit of each byte first."""
    return {
        8 * at + bit
        for at, byte in enumerate(bitstring)
        if byte
        for bit in range(8)
        if byte & (0x80 >> bit)
    }


def _error(entry, credential, **options):
    with pytest.raises(StatusListError) as caught:
        status_list.check(entry, credential, now=NOW, **options)
    return caught.value.error


class TestEncoding:
    def test_an_empty_default_list_is_the_recommendations_example_byte_for_byte(self):
        assert StatusList(LIST_URL).encode() == SPEC_EXAMPLE_LIST

    def test_the_example_expands_to_16_kb_of_zeros(self):
        assert status_list.decode_list(SPEC_EXAMPLE_LIST) == bytes(MIN_ENTRIES // 8)

    def test_index_zero_is_the_left_most_bit_of_the_first_byte(self):
        statuses = StatusList(LIST_URL)
        statuses.set(0)
        statuses.set(9)
        statuses.set(MIN_ENTRIES - 1)
        bits = statuses.bits
        assert (bits[0], bits[1], bits[-1]) == (0b1000_0000, 0b0100_0000, 0b0000_0001)

    def test_an_independent_implementations_list_reads_the_same(self):
        assert _set_bits(status_list.decode_list(INTEROP_LIST)) == {4000}
        credential = _list_credential(INTEROP_LIST)
        assert status_list.check(_entry(4000), credential, now=NOW)
        assert not status_list.check(_entry(4007), credential, now=NOW)

    @pytest.mark.parametrize(
        "encoded",
        [
            "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
            "u!!",
            "uAAAA",
            "",
        ],
    )
    def test_what_is_no_encoded_list_is_a_malformed_value(self, encoded):
        with pytest.raises(StatusListError) as caught:
            status_list.decode_list(encoded)
        assert caught.value.error is ProcessingError.MALFORMED_VALUE_ERROR

    def test_trailing_data_after_the_gzip_member_is_refused(self):
        with pytest.raises(StatusListError, match="GZIP member"):
            status_list.decode_list(SPEC_EXAMPLE_LIST + "AAAA")

    def test_a_list_that_would_inflate_past_16_mib_is_refused(self):
        compressor = zlib.compressobj(wbits=31)
        bomb = compressor.compress(bytes(17 * 1024 * 1024)) + compressor.flush()
        with pytest.raises(StatusListError, match="GZIP member"):
            status_list.decode_list("u" + b64url_encode(bomb))

    @given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=40))
    def test_set_bits_survive_encoding_and_decoding(self, revoked):
        statuses = StatusList(LIST_URL)
        for index in revoked:
            statuses.set(index)
        bitstring = status_list.decode_list(statuses.encode())
        assert _set_bits(bitstring) == revoked
        again = StatusList(LIST_URL, bits=bitstring)
        assert all(again.get(i) for i in revoked)
        credential = statuses.credential("did:web:exporter.example", valid_from=NOW)
        for index in list(revoked)[:5]:
            assert status_list.check(statuses.entry(index), credential, now=NOW)


class TestStatusList:
    def test_allocation_is_random_and_never_repeats(self):
        statuses = StatusList(LIST_URL)
        given_out = [statuses.allocate() for _ in range(2000)]
        assert len(set(given_out)) == 2000
        assert statuses.allocated == set(given_out)
        assert given_out != sorted(given_out)

    def test_allocation_resumes_from_a_saved_list(self):
        taken = set(range(MIN_ENTRIES - 1))
        statuses = StatusList(LIST_URL, allocated=taken)
        assert statuses.allocate() == MIN_ENTRIES - 1
        with pytest.raises(StatusListFullError):
            statuses.allocate()

    def test_revocation_cannot_be_undone(self):
        statuses = StatusList(LIST_URL)
        statuses.set(5, revoked=True)
        statuses.set(5, revoked=True)
        with pytest.raises(ValueError, match="not reversible"):
            statuses.set(5, revoked=False)
        statuses.set(6, revoked=False)  # clearing a clear bit is harmless

    def test_suspension_can_be_lifted(self):
        statuses = StatusList(LIST_URL, purpose="suspension")
        statuses.set(5)
        statuses.set(5, revoked=False)
        assert not statuses.get(5)

    @pytest.mark.parametrize("index", [-1, MIN_ENTRIES, True, "3"])
    def test_an_index_outside_the_list_is_refused(self, index):
        with pytest.raises(IndexError):
            StatusList(LIST_URL).set(index)

    @pytest.mark.parametrize("length", [1024, MIN_ENTRIES + 1])
    def test_a_list_is_long_enough_for_herd_privacy_and_whole_bytes(self, length):
        with pytest.raises(ValueError, match="at least"):
            StatusList(LIST_URL, length=length)

    def test_longer_lists_are_allowed(self):
        statuses = StatusList(LIST_URL, length=2 * MIN_ENTRIES)
        statuses.set(2 * MIN_ENTRIES - 1)
        assert status_list.decode_list(statuses.encode())[-1] == 1

    def test_entry_is_a_bitstring_status_list_entry_with_a_string_index(self):
        assert StatusList(LIST_URL).entry(94567) == SPEC_EXAMPLE_ENTRY

    def test_credential_is_the_unsigned_list_credential(self):
        statuses = StatusList(LIST_URL)
        statuses.set(94567)
        credential = statuses.credential(
            "did:example:12345",
            valid_from=datetime(2021, 4, 5, 14, 27, 40, tzinfo=UTC),
            valid_until=datetime(2021, 4, 6, tzinfo=UTC),
            ttl=timedelta(minutes=5),
        )
        subject = credential.pop("credentialSubject")
        assert credential == {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": LIST_URL,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": "did:example:12345",
            "validFrom": "2021-04-05T14:27:40Z",
            "validUntil": "2021-04-06T00:00:00Z",
        }
        assert subject == {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuses.encode(),
            "ttl": 300_000,
        }
        assert "proof" not in credential

    def test_naive_datetimes_are_refused(self):
        with pytest.raises(ValueError, match="time zone"):
            StatusList(LIST_URL).credential("did:example:1", valid_from=datetime(2026, 1, 1))  # noqa: DTZ001


class TestCheck:
    def test_the_recommendations_examples_read_as_not_revoked(self):
        assert status_list.check(SPEC_EXAMPLE_ENTRY, SPEC_EXAMPLE_CREDENTIAL, now=NOW) is False

    def test_a_list_with_several_purposes_serves_each(self):
        credential = _list_credential(SPEC_EXAMPLE_LIST, purpose=["revocation", "suspension"])
        assert status_list.check(_entry(1, "suspension"), credential, now=NOW) is False

    def test_another_purpose_is_a_verification_error(self):
        entry = _entry(1, "suspension")
        assert (
            _error(entry, _list_credential(SPEC_EXAMPLE_LIST))
            is ProcessingError.STATUS_VERIFICATION_ERROR
        )

    def test_an_index_past_the_end_is_a_range_error(self):
        assert (
            _error(_entry(MIN_ENTRIES), _list_credential(SPEC_EXAMPLE_LIST))
            is ProcessingError.RANGE_ERROR
        )

    def test_a_huge_index_is_a_range_error(self):
        entry = _entry("9" * 5000)
        assert _error(entry, _list_credential(SPEC_EXAMPLE_LIST)) is ProcessingError.RANGE_ERROR

    def test_a_short_list_is_a_length_error(self):
        short = status_list.encode_list(bytes(1024))
        assert (
            _error(_entry(0), _list_credential(short)) is ProcessingError.STATUS_LIST_LENGTH_ERROR
        )
        assert (
            status_list.check(_entry(0), _list_credential(short), minimum_entries=8192, now=NOW)
            is False
        )

    @pytest.mark.parametrize(
        "credential",
        [
            {**_list_credential(SPEC_EXAMPLE_LIST), "type": ["VerifiableCredential"]},
            {
                **_list_credential(SPEC_EXAMPLE_LIST),
                "id": "https://example.com/credentials/status/4",
            },
            {
                **_list_credential(SPEC_EXAMPLE_LIST),
                "credentialSubject": {"type": "StatusList2021"},
            },
            _list_credential(SPEC_EXAMPLE_LIST, validUntil="2026-01-01T00:00:00Z"),
            _list_credential(SPEC_EXAMPLE_LIST, validFrom="2027-01-01T00:00:00Z"),
            "not a credential",
        ],
        ids=[
            "not a list credential",
            "another list",
            "another subject",
            "expired",
            "not yet valid",
            "text",
        ],
    )
    def test_a_list_credential_that_does_not_fit_is_a_verification_error(self, credential):
        assert _error(_entry(1), credential) is ProcessingError.STATUS_VERIFICATION_ERROR

    @pytest.mark.parametrize(
        "entry",
        [
            _entry(1, type="StatusList2021Entry"),
            _entry("-1"),
            _entry("1.5"),
            {**_entry(1), "statusListIndex": 1},
            {**_entry(1), "statusListCredential": None},
            _entry(1, statusSize=0),
            "not an entry",
        ],
    )
    def test_a_malformed_entry_is_a_malformed_value(self, entry):
        assert (
            _error(entry, _list_credential(SPEC_EXAMPLE_LIST))
            is ProcessingError.MALFORMED_VALUE_ERROR
        )

    def test_a_malformed_date_is_a_malformed_value(self):
        credential = _list_credential(SPEC_EXAMPLE_LIST, validUntil="next week")
        assert _error(_entry(1), credential) is ProcessingError.MALFORMED_VALUE_ERROR

    def test_multi_bit_statuses_are_not_read(self):
        entry = _entry(1, statusSize=2, statusMessage=[])
        assert (
            _error(entry, _list_credential(SPEC_EXAMPLE_LIST))
            is ProcessingError.STATUS_VERIFICATION_ERROR
        )

    def test_errors_carry_the_problem_details_type_and_a_message(self):
        urls = {error: error.type_url for error in ProcessingError}
        assert (
            urls[ProcessingError.RANGE_ERROR] == "https://www.w3.org/TR/vc-data-model#RANGE_ERROR"
        )
        assert (
            urls[ProcessingError.STATUS_LIST_LENGTH_ERROR]
            == "https://www.w3.org/ns/credentials/status-list#STATUS_LIST_LENGTH_ERROR"
        )
        for error in ProcessingError:
            assert StatusListError(error).message.render("es")


class TestSupersede:
    def _issued(self, statuses, credential_id):
        index = statuses.allocate()
        return {"id": credential_id, "credentialStatus": [statuses.entry(index)]}, index

    def test_the_replaced_credential_is_revoked_and_the_replacement_names_it(self):
        statuses = StatusList(LIST_URL)
        old, index = self._issued(statuses, "urn:uuid:old")
        new, _ = self._issued(statuses, "urn:uuid:new")

        link = status_list.supersede(old, new, statuses)

        assert statuses.get(index)
        assert link.superseded == "urn:uuid:old"
        assert link.replacement == "urn:uuid:new"
        assert link.status_entry == statuses.entry(index)
        assert link.claim() == {"supersedes": "urn:uuid:old"}
        credential = statuses.credential("did:web:exporter.example", valid_from=NOW)
        assert status_list.check(old["credentialStatus"][0], credential, now=NOW)
        assert not status_list.check(new["credentialStatus"][0], credential, now=NOW)

    def test_a_replacement_that_already_names_what_it_supersedes(self):
        statuses = StatusList(LIST_URL)
        old, _ = self._issued(statuses, "urn:uuid:old")
        new = {"id": "urn:uuid:new", "supersedes": "urn:uuid:old"}
        assert status_list.supersede(old, new, statuses).superseded == "urn:uuid:old"

    def test_the_entry_may_be_a_single_object(self):
        statuses = StatusList(LIST_URL)
        old = {"id": "urn:uuid:old", "credentialStatus": statuses.entry(7)}
        status_list.supersede(old, {"id": "urn:uuid:new"}, statuses)
        assert statuses.get(7)

    def test_refusals(self):
        statuses = StatusList(LIST_URL)
        old, index = self._issued(statuses, "urn:uuid:old")
        with pytest.raises(ValueError, match="ids must differ"):
            status_list.supersede(old, {"id": "urn:uuid:old"}, statuses)
        with pytest.raises(ValueError, match="ids must differ"):
            status_list.supersede({"credentialStatus": []}, {"id": "urn:uuid:new"}, statuses)
        with pytest.raises(ValueError, match="supersedes"):
            status_list.supersede(old, {"id": "urn:uuid:new", "supersedes": "urn:uuid:x"}, statuses)
        with pytest.raises(ValueError, match="no revocation entry"):
            status_list.supersede({"id": "urn:uuid:a"}, {"id": "urn:uuid:b"}, statuses)
        reuse = {"id": "urn:uuid:new", "credentialStatus": [statuses.entry(index)]}
        with pytest.raises(ValueError, match="reuses"):
            status_list.supersede(old, reuse, statuses)
        with pytest.raises(ValueError, match="revocation list"):
            status_list.supersede(
                old, {"id": "urn:uuid:new"}, StatusList(LIST_URL, purpose=StatusPurpose.SUSPENSION)
            )
        status_list.supersede(old, {"id": "urn:uuid:new"}, statuses)
        with pytest.raises(ValueError, match="already revoked"):
            status_list.supersede(old, {"id": "urn:uuid:newer"}, statuses)
