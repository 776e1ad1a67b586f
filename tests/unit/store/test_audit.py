from __future__ import annotations

import uuid

from sqlalchemy import delete, update

from cruce.store.models import AuditEvent
from cruce.store.repositories.audit import GENESIS, AuditLog


def _fill(log, n=4):
    return [
        log.append(
            "shipment.update",
            "shipment",
            str(uuid.uuid4()),
            actor_user_id=uuid.uuid4(),
            ip="203.0.113.7",
            request_id=f"r{i}",
            detail={"version": i, "note": "é"},
        )
        for i in range(n)
    ]


class TestAuditLog:
    def test_events_are_chained(self, db_session, clock):
        log = AuditLog(db_session, clock)
        rows = _fill(log)
        assert rows[0].prev_hash == GENESIS
        assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
        check = log.verify_chain(expected_head=rows[-1].hash)
        assert check.ok
        assert check.checked == 4
        assert log.head() == (rows[-1].id, rows[-1].hash)

    def test_an_empty_log_verifies(self, db_session):
        assert AuditLog(db_session).verify_chain().ok

    def test_a_changed_row_is_reported(self, db_session, clock):
        log = AuditLog(db_session, clock)
        rows = _fill(log)
        db_session.execute(
            update(AuditEvent).where(AuditEvent.id == rows[2].id).values(action="shipment.read")
        )
        db_session.expire_all()
        check = log.verify_chain()
        assert (check.ok, check.first_bad_id, check.problem) == (False, rows[2].id, "altered")

    def test_a_deleted_row_is_reported_at_the_next_one(self, db_session, clock):
        log = AuditLog(db_session, clock)
        rows = _fill(log)
        db_session.execute(delete(AuditEvent).where(AuditEvent.id == rows[1].id))
        db_session.expire_all()
        check = log.verify_chain()
        assert (check.ok, check.first_bad_id, check.problem) == (
            False,
            rows[2].id,
            "missing_before",
        )

    def test_deleting_the_newest_row_shows_against_a_known_head(self, db_session, clock):
        log = AuditLog(db_session, clock)
        rows = _fill(log)
        db_session.execute(delete(AuditEvent).where(AuditEvent.id == rows[-1].id))
        db_session.expire_all()
        assert log.verify_chain().ok
        check = log.verify_chain(expected_head=rows[-1].hash)
        assert (check.ok, check.problem) == (False, "head_mismatch")
