from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cruce.trust import checkpoint as note
from cruce.trust.checkpoint import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    Ed25519Signer,
    Ed25519Verifier,
    InvalidSignatureError,
    MalformedNoteError,
    Note,
    NoteError,
    Signature,
    UnverifiedNoteError,
)

pytestmark = pytest.mark.unit

# golang.org/x/mod/sumdb/note, note_test.go and the package documentation: a signer key
# ("PRIVATE+KEY+<name>+<key ID>+base64(0x01 ‖ Ed25519 seed)"), its verifier key, the text,
# the signed note Go produces, and a second key's signature over the same text.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngo"
    "tpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox3"
    "3WWd1RvMc+QQ=\n"
)

# https://c2sp.org/tlog-checkpoint's example (its keys are not published).
C2SP_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
C2SP_NOTE = (
    C2SP_BODY + "\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4U"
    "RYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)


def _go_private_key() -> Ed25519PrivateKey:
    encoded = GO_SKEY.split("+", 4)[4]
    raw = base64.b64decode(encoded)
    assert raw[0] == ED25519
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def _key(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def _checkpoint(size: int = 12) -> Checkpoint:
    return Checkpoint("example.com/log", size, hashlib.sha256(b"root").digest())


class TestGoNoteVectors:
    def test_signing_reproduces_go_byte_for_byte(self):
        signer = Ed25519Signer("PeterNeumann", _go_private_key())
        assert note.sign_note(GO_TEXT, signer) == GO_TEXT + "\n" + PETER_SIG

    def test_the_verifier_key_is_go_s(self):
        signer = Ed25519Signer("PeterNeumann", _go_private_key())
        assert signer.verifier().vkey == GO_VKEY
        assert signer.key_id.hex() == "c74f20a3"

    def test_one_known_key_verifies_and_the_unknown_one_is_ignored(self):
        opened = note.open_note(
            GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG, [note.verifier_from_vkey(GO_VKEY)]
        )
        assert opened.text == GO_TEXT
        assert [s.name for s in opened.verified] == ["PeterNeumann"]
        assert [(s.name, s.key_id.hex()) for s in opened.unverified] == [("EnochRoot", "af0cfe78")]

    def test_both_known_keys_verify(self):
        verifiers = [note.verifier_from_vkey(GO_VKEY), note.verifier_from_vkey(ENOCH_VKEY)]
        opened = note.open_note(GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG, verifiers)
        assert [s.name for s in opened.verified] == ["PeterNeumann", "EnochRoot"]
        assert opened.unverified == ()

    def test_no_known_key_rejects_the_note(self):
        with pytest.raises(UnverifiedNoteError):
            note.open_note(GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])

    def test_a_failing_signature_of_a_known_key_rejects_the_whole_note(self):
        broken = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
        with pytest.raises(InvalidSignatureError, match="PeterNeumann"):
            note.open_note(GO_TEXT + "\n" + broken, [note.verifier_from_vkey(GO_VKEY)])

    def test_repeated_signatures_count_once(self):
        message = GO_TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG
        opened = note.open_note(message, [note.verifier_from_vkey(GO_VKEY)])
        assert len(opened.verified) == 1
        assert len(opened.unverified) == 1

    @pytest.mark.parametrize(
        "message",
        [
            GO_TEXT,
            GO_TEXT + "\n",
            GO_TEXT + "\n" + PETER_SIG[:-1],
            "\x01" + GO_TEXT + "\n" + PETER_SIG,
            GO_TEXT + "\n" + "— Bad Name " + PETER_SIG.split(" ")[2],
            GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
            GO_TEXT + "\n" + PETER_SIG * 101,
            GO_TEXT + "\n" + "— PeterNeumann AAAA\n",
            GO_TEXT + "\n" + "— PeterNeumann not*base64\n",
        ],
        ids=[
            "no-signatures",
            "blank-line-only",
            "no-final-newline",
            "control-character",
            "space-in-name",
            "line-after-signatures",
            "too-many-signatures",
            "signature-shorter-than-a-key-id",
            "not-base64",
        ],
    )
    def test_malformed_notes_are_rejected(self, message):
        with pytest.raises(MalformedNoteError):
            note.open_note(message, [note.verifier_from_vkey(GO_VKEY)])

    def test_invalid_utf8_is_malformed(self):
        with pytest.raises(MalformedNoteError, match="UTF-8"):
            Note.parse(b"\xff" + (GO_TEXT + "\n" + PETER_SIG).encode())

    def test_every_mangled_verifier_key_is_refused(self):
        # As Go's TestNewVerifier: every proper substring and every one-byte change fails.
        data = GO_VKEY.encode()
        for start in range(len(data) + 1):
            for end in range(start + 1, len(data) + 1):
                if (start, end) != (0, len(data)):
                    with pytest.raises(NoteError):
                        note.verifier_from_vkey(data[start:end].decode())
        for position in range(len(data)):
            mangled = bytearray(data)
            mangled[position] += 1
            with pytest.raises(NoteError):
                note.verifier_from_vkey(mangled.decode())

    def test_an_existing_signature_of_the_same_key_is_replaced(self):
        signer = Ed25519Signer("PeterNeumann", _go_private_key())
        stale = Signature("PeterNeumann", signer.key_id, b"BADSIGN")
        assert note.sign_note(GO_TEXT, signer, existing=[stale]) == GO_TEXT + "\n" + PETER_SIG

    def test_a_text_without_a_final_newline_cannot_be_signed(self):
        signer = Ed25519Signer("PeterNeumann", _go_private_key())
        with pytest.raises(MalformedNoteError):
            note.sign_note("abc", signer)


class TestVerifierKeys:
    def test_transparency_dev_ed25519_key(self):
        verifier = note.verifier_from_vkey(
            "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
        )
        assert type(verifier) is Ed25519Verifier
        assert verifier.name == "TEST"

    def test_transparency_dev_cosignature_key(self):
        vkey = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
        verifier = note.verifier_from_vkey(vkey)
        assert isinstance(verifier, CosignatureVerifier)
        assert verifier.vkey == vkey

    @pytest.mark.parametrize(
        "vkey",
        [
            "bananas.sigstore.dev+12344556",
            "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
            "rekor.sigstore.dev+12345678+AwEB",
            "rekor.sigstore.dev+NOT_A_NUMBER+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
            "TEST+00000000+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
            "TEST+7997405c+AwcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
            "TE ST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
        ],
        ids=["parts", "base64", "short", "key-id", "wrong-key-id", "unknown-type", "name"],
    )
    def test_bad_verifier_keys_are_refused(self, vkey):
        with pytest.raises(NoteError):
            note.verifier_from_vkey(vkey)

    def test_an_unknown_signature_type_with_a_matching_key_id_is_refused(self):
        public = _key("x").public_key()
        raw = note._raw(public)
        vkey = f"x+{note.key_id('x', 0x02, raw).hex()}+" + base64.b64encode(b"\x02" + raw).decode()
        with pytest.raises(NoteError, match="unknown signature type"):
            note.verifier_from_vkey(vkey)

    def test_key_names_exclude_spaces_and_plus(self):
        assert note.is_valid_name("example.com/log")
        assert not note.is_valid_name("")
        assert not note.is_valid_name("a+b")
        assert not note.is_valid_name("a\u00a0b")
        with pytest.raises(ValueError, match="key name"):
            Ed25519Signer("a b", _key("x"))


class TestCheckpoint:
    def test_body_is_origin_size_and_base64_root(self):
        body = _checkpoint().body()
        root64 = base64.b64encode(hashlib.sha256(b"root").digest()).decode()
        assert body == f"example.com/log\n12\n{root64}\n"
        assert Checkpoint.from_body(body) == _checkpoint()

    def test_the_c2sp_example_parses(self):
        parsed = Checkpoint.from_body(Note.parse(C2SP_NOTE).text)
        assert parsed.origin == "example.com/behind-the-sofa"
        assert parsed.size == 20852163
        assert parsed.body() == C2SP_BODY

    def test_extension_lines_are_kept(self):
        extended = Checkpoint("o", 0, bytes(32), ("ext one",))
        assert Checkpoint.from_body(extended.body()) == extended

    @pytest.mark.parametrize(
        "body",
        [
            "o\n12\n",
            "o\n012\n" + base64.b64encode(bytes(32)).decode() + "\n",
            "o\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n",
            "o\n١٢\n" + base64.b64encode(bytes(32)).decode() + "\n",
            "o\n12\n" + base64.b64encode(bytes(31)).decode() + "\n",
            "o\n12\n!!!!\n",
            "o\n12\n" + base64.b64encode(bytes(32)).decode() + "\n\n",
            "o\n12\n" + base64.b64encode(bytes(32)).decode(),
        ],
        ids=[
            "two-lines",
            "leading-zero",
            "negative",
            "arabic-digits",
            "short-root",
            "not-base64",
            "empty-extension",
            "no-final-newline",
        ],
    )
    def test_malformed_bodies_are_rejected(self, body):
        with pytest.raises(MalformedNoteError):
            Checkpoint.from_body(body)

    @pytest.mark.parametrize(
        ("origin", "size", "root"),
        [("", 0, bytes(32)), ("a\nb", 0, bytes(32)), ("o", -1, bytes(32)), ("o", 0, b"")],
    )
    def test_impossible_checkpoints_cannot_be_built(self, origin, size, root):
        with pytest.raises(ValueError, match=r"checkpoint|size|root"):
            Checkpoint(origin, size, root)

    def test_signed_checkpoint_opens_with_the_log_key(self):
        signer = Ed25519Signer("example.com/log", _key("log"))
        signed = note.sign_checkpoint(_checkpoint(), signer)
        opened = note.open_checkpoint(signed.note, signer.verifier(), origin="example.com/log")
        assert opened.checkpoint == _checkpoint()
        assert opened.cosignatures == ()

    def test_signed_by_the_wrong_key_is_rejected(self):
        impostor = Ed25519Signer("example.com/log", _key("impostor"))
        log = Ed25519Signer("example.com/log", _key("log"))
        signed = note.sign_checkpoint(_checkpoint(), impostor)
        with pytest.raises(UnverifiedNoteError):
            note.open_checkpoint(signed.note, log.verifier())

    def test_a_forged_signature_under_the_log_s_key_id_is_rejected(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        impostor = Ed25519Signer("example.com/log", _key("impostor"))
        forged = Signature(log.name, log.key_id, impostor.sign(_checkpoint().body().encode()))
        message = _checkpoint().body() + "\n" + forged.line()
        with pytest.raises(InvalidSignatureError):
            note.open_checkpoint(message, log.verifier())

    def test_unknown_keys_are_ignored(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        stranger = Ed25519Signer("stranger.example", _key("stranger"))
        same_name = Ed25519Signer("example.com/log", _key("other"))
        message = note.sign_note(_checkpoint().body(), stranger, log, same_name)
        opened = note.open_checkpoint(message, log.verifier())
        assert opened.checkpoint.size == 12

    def test_another_log_s_checkpoint_is_refused(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        signed = note.sign_checkpoint(_checkpoint(), log)
        with pytest.raises(NoteError, match=r"not 'example\.com/other'"):
            note.open_checkpoint(signed.note, log.verifier(), origin="example.com/other")

    def test_a_note_signed_only_by_a_witness_is_not_the_log_s(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        witness = CosignatureSigner("witness.example/w1", _key("w1"), clock=lambda: 1700000000)
        message = note.sign_note(_checkpoint().body(), witness)
        with pytest.raises(UnverifiedNoteError, match="log key"):
            note.open_checkpoint(message, log.verifier(), witnesses=[witness.verifier()])


class TestCosignature:
    def test_the_cosigned_message_is_the_spec_s(self):
        expected = (
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        )
        assert note.cosigned_message(1679315147, C2SP_BODY.encode()).decode() == expected

    def test_the_timestamp_of_a_transparency_dev_cosignature(self):
        line = (
            "— w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHW"
            "WOworDcFiEBYJXORmnFBOBA==\n"
        )
        signature = Note.parse("t\n\n" + line).signatures[0]
        assert signature.timestamp == 1727964367
        plain = Note.parse(GO_TEXT + "\n" + PETER_SIG).signatures[0]
        assert plain.timestamp is None

    def test_cosignature_key_ids_use_type_0x04(self):
        witness = CosignatureSigner("witness.example/w1", _key("w1"))
        raw = note._raw(_key("w1").public_key())
        assert witness.key_id == note.key_id("witness.example/w1", COSIGNATURE_V1, raw)
        assert witness.key_id != Ed25519Signer("witness.example/w1", _key("w1")).key_id
        assert witness.verifier().vkey.startswith("witness.example/w1+")
        assert base64.b64decode(witness.verifier().vkey.split("+", 2)[2])[0] == COSIGNATURE_V1

    def test_a_checkpoint_cosigned_by_a_witness_verifies(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        witness = CosignatureSigner("witness.example/w1", _key("w1"), clock=lambda: 1700000000.7)
        signed = note.sign_checkpoint(_checkpoint(), log)
        cosigned = note.add_signatures(signed.note, witness)
        assert cosigned.startswith(signed.note)
        opened = note.open_checkpoint(
            cosigned, log.verifier(), witnesses=[witness.verifier()], quorum=1
        )
        assert opened.cosignatures == (("witness.example/w1", 1700000000),)

    def test_a_witness_vkey_verifies_its_cosignature(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        witness = CosignatureSigner("witness.example/w1", _key("w1"), clock=lambda: 5)
        cosigned = note.add_signatures(note.sign_checkpoint(_checkpoint(), log).note, witness)
        from_vkey = note.verifier_from_vkey(witness.verifier().vkey)
        opened = note.open_checkpoint(cosigned, log.verifier(), witnesses=[from_vkey], quorum=1)
        assert opened.cosignatures == (("witness.example/w1", 5),)

    def test_a_quorum_of_missing_witnesses_rejects(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        w1 = CosignatureSigner("witness.example/w1", _key("w1"), clock=lambda: 1)
        w2 = CosignatureSigner("witness.example/w2", _key("w2"), clock=lambda: 1)
        cosigned = note.add_signatures(note.sign_checkpoint(_checkpoint(), log).note, w1)
        witnesses = [w1.verifier(), w2.verifier()]
        with pytest.raises(UnverifiedNoteError, match="1 witness cosignatures, 2 needed"):
            note.open_checkpoint(cosigned, log.verifier(), witnesses=witnesses, quorum=2)

    def test_a_changed_timestamp_breaks_the_cosignature(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        witness = CosignatureSigner("witness.example/w1", _key("w1"), clock=lambda: 1000)
        cosigned = Note.parse(
            note.add_signatures(note.sign_checkpoint(_checkpoint(), log).note, witness)
        )
        genuine = cosigned.signatures[-1]
        shifted = Signature(
            genuine.name, genuine.key_id, (1001).to_bytes(8, "big") + genuine.signature[8:]
        )
        message = str(Note(cosigned.text, (*cosigned.signatures[:-1], shifted)))
        with pytest.raises(InvalidSignatureError):
            note.open_checkpoint(message, log.verifier(), witnesses=[witness.verifier()])

    def test_a_cosignature_from_the_future_can_be_refused(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        witness = CosignatureSigner("witness.example/w1", _key("w1"), clock=lambda: 10_000)
        cosigned = note.add_signatures(note.sign_checkpoint(_checkpoint(), log).note, witness)
        strict = CosignatureVerifier(
            witness.name, _key("w1").public_key(), max_future=60, clock=lambda: 1_000
        )
        with pytest.raises(InvalidSignatureError):
            note.open_checkpoint(cosigned, log.verifier(), witnesses=[strict])

    def test_only_checkpoints_are_cosigned(self):
        witness = CosignatureSigner("witness.example/w1", _key("w1"))
        with pytest.raises(MalformedNoteError, match="three lines"):
            note.sign_note("one line\n", witness)
        assert not witness.verifier().verify(b"one line\n", bytes(72))

    def test_duplicate_verifiers_are_a_configuration_error(self):
        log = Ed25519Signer("example.com/log", _key("log"))
        signed = note.sign_checkpoint(_checkpoint(), log)
        with pytest.raises(ValueError, match="share the key"):
            note.open_note(signed.note, [log.verifier(), log.verifier()])
