"""The audit log anchored in the transparency log: every kind of tampering is found."""

from __future__ import annotations

import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, update

from cruce.api.anchoring import (
    AnchorSchedule,
    anchor_head,
    audit_head_entry,
    log_signer,
    verify_audit,
)
from cruce.config import Environment, Settings
from cruce.store.crypto import KeyConfigurationError
from cruce.store.models import AuditAnchor, AuditEvent, LogCheckpoint, LogHash
from cruce.store.repositories.audit import AuditLog, chain_hash
from cruce.store.repositories.transparency import TransparencyRepository
from cruce.trust.checkpoint import Ed25519Signer

SIGNER = Ed25519Signer("cruce.example/log", Ed25519PrivateKey.from_private_bytes(bytes(32)))
OTHER = Ed25519Signer("cruce.example/log", Ed25519PrivateKey.from_private_bytes(bytes([7] * 32)))


def _events(audit: AuditLog, count: int) -> list[AuditEvent]:
    """New events, loaded as the session's rows so that a test may tamper with them."""
    appended = [
        audit.append(
            "shipment.read",
            "shipment",
            str(uuid.uuid4()),
            actor_user_id=uuid.uuid4(),
            ip="203.0.113.9",
            request_id=f"r{n}",
        )
        for n in range(count)
    ]
    return [audit.session.get_one(AuditEvent, event.id) for event in appended]


class Fixture:
    """An audit log of 9 events anchored after the 4th and the 9th."""

    def __init__(self, session, clock) -> None:
        self.session = session
        self.audit = AuditLog(session, clock)
        self.log = TransparencyRepository(session)
        self.rows = _events(self.audit, 4)
        self.first = anchor_head(self.audit, self.log, SIGNER)
        self.rows += _events(self.audit, 5)
        self.second = anchor_head(self.audit, self.log, SIGNER)

    def check(self):
        self.session.expire_all()
        return verify_audit(self.session, SIGNER.verifier())


@pytest.fixture
def anchored(db_session, clock) -> Fixture:
    return Fixture(db_session, clock)


class TestAnchoring:
    def test_a_fresh_database_with_no_events_verifies(self, db_session):
        check = verify_audit(db_session, SIGNER.verifier())
        assert (check.ok, check.events, check.anchors) == (True, 0, 0)

    def test_anchoring_records_the_head_as_a_leaf_under_a_new_checkpoint(self, anchored):
        assert (anchored.first.log_index, anchored.second.log_index) == (0, 1)
        assert anchored.second.audit_event_id == anchored.rows[-1].id
        leaf = anchored.log.entry(1)
        assert leaf is not None
        assert bytes(leaf.entry) == audit_head_entry(anchored.rows[-1].id, anchored.rows[-1].hash)
        latest = anchored.log.latest_checkpoint()
        assert latest is not None
        assert latest.checkpoint.size == 2
        check = anchored.check()
        assert (check.ok, check.events, check.anchors) == (True, 9, 2)

    def test_nothing_new_appends_nothing(self, anchored):
        again = anchor_head(anchored.audit, anchored.log, SIGNER)
        assert (again.audit_event_id, again.size) == (None, 2)
        assert anchored.log.size() == 2

    def test_a_new_key_signs_the_same_size_again(self, anchored):
        again = anchor_head(anchored.audit, anchored.log, OTHER)
        assert (again.audit_event_id, again.size) == (None, 2)
        assert verify_audit(anchored.session, OTHER.verifier()).ok
        check = verify_audit(anchored.session, SIGNER.verifier())
        assert check.problem == "log"

    def test_events_after_the_last_anchor_verify(self, anchored):
        _events(anchored.audit, 2)
        assert anchored.check().ok


class TestTamperingIsFound:
    def test_an_altered_row(self, anchored):
        target = anchored.rows[2].id
        anchored.session.execute(
            update(AuditEvent).where(AuditEvent.id == target).values(action="shipment.update")
        )
        check = anchored.check()
        assert (check.ok, check.problem, check.event_id) == (False, "altered", target)

    def test_a_deleted_row_in_the_middle(self, anchored):
        anchored.session.execute(delete(AuditEvent).where(AuditEvent.id == anchored.rows[5].id))
        check = anchored.check()
        assert (check.problem, check.event_id) == ("missing_before", anchored.rows[6].id)

    @pytest.mark.parametrize("count", [1, 3, 7])
    def test_the_newest_rows_deleted_before_an_anchor(self, anchored, count):
        doomed = [row.id for row in anchored.rows[-count:]]
        anchored.session.execute(delete(AuditEvent).where(AuditEvent.id.in_(doomed)))
        check = anchored.check()
        assert check.problem == "deleted_tail"
        first_lost = anchored.rows[3].id if count > 5 else anchored.rows[-1].id
        assert check.event_id == first_lost
        assert check.message is not None
        assert "newest events were deleted" in check.message.render("en")

    def test_a_chain_rewritten_to_hide_an_alteration(self, anchored):
        previous = anchored.rows[1].hash
        for row in anchored.rows[2:]:
            if row is anchored.rows[2]:
                row.action = "shipment.update"
            row.prev_hash = previous
            row.hash = chain_hash(previous, row)
            previous = row.hash
        anchored.session.flush()
        check = anchored.check()
        assert (check.problem, check.event_id) == ("anchor_mismatch", anchored.rows[3].id)

    def test_an_anchored_event_deleted_and_the_chain_relinked_over_it(self, anchored):
        newer = _events(anchored.audit, 2)
        gone = anchored.rows[-1]
        previous = gone.prev_hash
        anchored.session.delete(gone)
        anchored.session.flush()
        for row in newer:
            row.prev_hash = previous
            row.hash = chain_hash(previous, row)
            previous = row.hash
        anchored.session.flush()
        check = anchored.check()
        assert (check.problem, check.event_id) == ("deleted", gone.id)

    def test_a_deleted_anchor_row(self, anchored):
        anchored.session.execute(delete(AuditAnchor).where(AuditAnchor.log_index == 1))
        check = anchored.check()
        assert (check.problem, check.log_index) == ("anchor_missing", 1)

    def test_the_newest_rows_and_their_anchor_deleted(self, anchored):
        doomed = [row.id for row in anchored.rows[4:]]
        anchored.session.execute(delete(AuditEvent).where(AuditEvent.id.in_(doomed)))
        anchored.session.execute(delete(AuditAnchor).where(AuditAnchor.log_index == 1))
        assert anchored.check().problem == "anchor_missing"

    def test_an_altered_anchor_row(self, anchored):
        anchored.session.execute(
            update(AuditAnchor).where(AuditAnchor.log_index == 0).values(audit_head="ab" * 32)
        )
        check = anchored.check()
        assert (check.problem, check.event_id) == ("anchor_mismatch", anchored.rows[3].id)

    def test_an_anchor_moved_to_another_event(self, anchored):
        row = anchored.rows[5]
        anchored.session.execute(
            update(AuditAnchor)
            .where(AuditAnchor.log_index == 1)
            .values(audit_event_id=row.id, audit_head=row.hash)
        )
        check = anchored.check()
        assert (check.problem, check.log_index) == ("anchor_entry", 1)

    def test_an_altered_stored_hash(self, anchored):
        anchored.session.execute(update(LogHash).where(LogHash.id == 0).values(hash=bytes(32)))
        check = anchored.check()
        assert check.problem == "log"
        assert check.message is not None
        assert "Stored tree hash 0" in check.message.render("en")

    def test_the_latest_checkpoint_deleted(self, anchored):
        newest = anchored.session.scalar(select(LogCheckpoint.id).order_by(LogCheckpoint.id.desc()))
        anchored.session.execute(delete(LogCheckpoint).where(LogCheckpoint.id == newest))
        check = anchored.check()
        assert (check.problem, check.log_index) == ("not_in_checkpoint", 1)

    def test_a_checkpoint_that_does_not_verify(self, anchored):
        latest = anchored.log.latest_checkpoint()
        assert latest is not None
        forged = latest.note.replace("\n2\n", "\n1\n")
        anchored.session.execute(
            update(LogCheckpoint).where(LogCheckpoint.size == 2).values(note=forged)
        )
        check = anchored.check()
        assert check.problem == "log"
        assert check.message is not None
        assert "does not verify" in check.message.render("en")


class TestSchedule:
    def test_due_after_the_number_of_events(self):
        schedule = AnchorSchedule(events=3, seconds=60, clock=lambda: 0.0)
        assert [schedule.record(1) for _ in range(4)] == [False, False, True, False]

    def test_due_after_the_time_since_the_first_unanchored_event(self):
        now = [0.0]
        schedule = AnchorSchedule(events=100, seconds=60, clock=lambda: now[0])
        assert not schedule.record(1)
        now[0] = 59.0
        assert not schedule.record(1)
        now[0] = 60.0
        assert schedule.record(1)
        now[0] = 200.0
        assert not schedule.record(1)  # the clock restarts at the first event after an anchor

    def test_a_failed_anchor_is_due_again_at_the_next_event(self):
        schedule = AnchorSchedule(events=5, seconds=60, clock=lambda: 0.0)
        assert schedule.record(5)
        schedule.retry()
        assert schedule.record(1)


class TestLogKey:
    def test_the_development_key_is_made_once_and_kept_private(self, tmp_path):
        settings = Settings(data_dir=tmp_path, public_url="https://cruce.example/")
        first = log_signer(settings)
        assert first.name == "cruce.example/log"
        assert (tmp_path / "log-key").stat().st_mode & 0o777 == 0o600
        assert log_signer(settings).verifier().vkey == first.verifier().vkey

    def test_a_configured_seed_is_used(self, tmp_path):
        settings = Settings(
            data_dir=tmp_path, log_key="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        )
        assert (
            log_signer(settings).verifier().vkey.split("+")[2]
            == SIGNER.verifier().vkey.split("+")[2]
        )
        assert not (tmp_path / "log-key").exists()

    def test_production_without_a_log_key_is_refused(self, tmp_path):
        with pytest.raises(ValueError, match="CRUCE_LOG_KEY"):
            Settings(
                environment=Environment.PRODUCTION,
                data_dir=tmp_path,
                keks="k1:" + "A" * 43 + "=",
                session_secret="s" * 32,
                database_url="sqlite:///x.db",
            )
        constructed = Settings.model_construct(
            environment=Environment.PRODUCTION, data_dir=tmp_path, log_key=None
        )
        with pytest.raises(KeyConfigurationError, match="CRUCE_LOG_KEY"):
            log_signer(constructed)
        assert not (tmp_path / "log-key").exists()

    def test_a_malformed_seed_is_refused(self, tmp_path):
        with pytest.raises(KeyConfigurationError, match="32 bytes"):
            log_signer(Settings(data_dir=tmp_path, log_key="c2hvcnQ="))
