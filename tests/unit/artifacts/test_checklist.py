from __future__ import annotations

import hashlib

import pytest

from common.factories import line, shipment
from cruce.artifacts.checklist import NotReadyError, check, pack
from cruce.artifacts.registry import all_artifacts, get

pytestmark = pytest.mark.unit


class TestRegistry:
    def test_the_registry_finds_each_artifact_module_once_in_order(self):
        keys = [a.key for a in all_artifacts()]
        assert keys[0] == "shipment_record"
        assert {"commercial_invoice", "packing_list"} <= set(keys)
        assert len(keys) == len(set(keys))

    def test_every_artifact_has_the_contract(self):
        for artifact in all_artifacts():
            for attribute in (
                "key",
                "title",
                "media_type",
                "order",
                "required",
                "problems",
                "render",
                "validate",
            ):
                assert hasattr(artifact, attribute), (artifact, attribute)

    def test_an_unknown_key_raises(self):
        with pytest.raises(KeyError):
            get("no_such_document")


class TestChecklist:
    def test_a_complete_shipment_is_ready(self):
        checklist = check(shipment())
        assert checklist.ready
        assert checklist.as_dict()["ready"] is True

    def test_a_blocker_in_the_record_makes_it_not_ready(self):
        checklist = check(shipment(goods=[line(net_weight_kg="500")]))
        assert not checklist.ready
        record = next(s for s in checklist.statuses if s.artifact.key == "shipment_record")
        assert [p.code for p in record.blockers] == ["goods.weight.net_exceeds_gross"]


class TestPack:
    def test_every_required_artifact_is_rendered_validated_and_hashed(self):
        result = pack(shipment())
        assert result.valid
        manifest = result.manifest("2026-11-27T00:00:00+00:00")
        for entry, packed in zip(manifest["artifacts"], result.artifacts, strict=True):
            assert entry["sha256"] == hashlib.sha256(packed.rendered.data).hexdigest()
            assert entry["bytes"] == len(packed.rendered.data)

    def test_a_shipment_with_blockers_is_not_packed(self):
        with pytest.raises(NotReadyError) as excinfo:
            pack(shipment(parties={}))
        assert not excinfo.value.checklist.ready

    def test_the_progress_callback_is_called_once_per_artifact(self):
        seen = []
        result = pack(shipment(), progress=seen.append)
        assert [a.key for a in seen] == [a.status.artifact.key for a in result.artifacts]
