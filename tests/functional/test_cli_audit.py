"""``cruce audit verify`` and ``cruce audit anchor`` on the service's database."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, update
from typer.testing import CliRunner

from cruce.api.platform import Platform
from cruce.cli import EXIT_BLOCKERS, EXIT_READY, EXIT_UNUSABLE, app
from cruce.config import Settings, get_settings
from cruce.store.models import AuditEvent
from cruce.trust.checkpoint import Ed25519Signer

pytestmark = pytest.mark.functional


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """The service's settings point at a fresh data folder (its SQLite file and log key)."""
    monkeypatch.setenv("CRUCE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRUCE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRUCE_LOG_KEY", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def platform(data_dir) -> Platform:
    return Platform.from_settings(Settings(data_dir=data_dir))


def _events(platform: Platform, count: int) -> list[int]:
    with platform.unit() as unit:
        return [unit.audit.append("shipment.read", "shipment", str(n)).id for n in range(count)]


def _run(*args: str):
    return CliRunner().invoke(app, ["--lang", "en", "audit", *args])


class TestVerify:
    def test_a_fresh_database_is_intact(self, platform):
        del platform
        result = _run("verify")
        assert result.exit_code == EXIT_READY, result.output
        assert "intact: 0 events, 0 anchors" in result.output

    def test_anchored_events_verify(self, platform):
        _events(platform, 3)
        anchored = _run("anchor")
        assert anchored.exit_code == EXIT_READY, anchored.output
        assert "anchored as log entry 0" in anchored.output
        again = _run("anchor")
        assert "Nothing new to anchor" in again.output
        result = _run("verify")
        assert result.exit_code == EXIT_READY, result.output
        assert "3 events, 1 anchors" in result.output

    def test_the_newest_event_deleted_after_its_anchor_is_named(self, platform):
        ids = _events(platform, 4)
        assert _run("anchor").exit_code == EXIT_READY
        with platform.unit() as unit:
            unit.session.execute(delete(AuditEvent).where(AuditEvent.id == ids[-1]))
        result = _run("verify")
        assert result.exit_code == EXIT_BLOCKERS
        assert f"Audit event {ids[-1]} was anchored but is gone" in result.output
        spanish = CliRunner().invoke(app, ["audit", "verify", "--lang", "es"])
        assert spanish.exit_code == EXIT_BLOCKERS
        assert str(ids[-1]) in spanish.output

    def test_an_altered_event_is_named(self, platform):
        ids = _events(platform, 4)
        _run("anchor")
        with platform.unit() as unit:
            unit.session.execute(
                update(AuditEvent).where(AuditEvent.id == ids[1]).values(object_id="other")
            )
        result = _run("verify")
        assert result.exit_code == EXIT_BLOCKERS
        assert f"Audit event {ids[1]} was altered" in result.output

    def test_a_checkpoint_checked_against_another_published_key_fails(self, platform):
        _events(platform, 2)
        _run("anchor")
        other = Ed25519Signer("127.0.0.1:8000/log", Ed25519PrivateKey.generate())
        result = _run("verify", "--vkey", other.verifier().vkey)
        assert result.exit_code == EXIT_BLOCKERS
        assert "not signed by this service's log key" in result.output

    def test_a_malformed_vkey_is_refused(self, platform):
        del platform
        result = _run("verify", "--vkey", "not-a-key")
        assert result.exit_code == EXIT_UNUSABLE

    def test_a_database_without_the_tables_is_unusable(self, data_dir):
        url = f"sqlite:///{data_dir / 'empty.db'}"
        result = _run("verify", "--url", url)
        assert result.exit_code == EXIT_UNUSABLE
        assert "database cannot be used" in result.output
