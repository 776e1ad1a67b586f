"""Shipments from multipart uploads: a record and its goods sheet, and hostile uploads refused."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import yaml
from sqlalchemy import func, select

from common.factories import shipment_data
from cruce.api import uploads
from cruce.store.models import Shipment as ShipmentRow
from functional.test_api_parties import EXAMPLES, account, make_client

pytestmark = pytest.mark.functional
SHEET_EXAMPLE = EXAMPLES / "03-goods-sheet-250"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = (
    "part_number,description_en,description_es,hts,schedule_b,fraccion,nico,origin_country,"
    "quantity,unit,unit_price,net_weight_kg,gross_weight_kg\n"
)
ROW = "{part},{description},Soporte,{hts},7616.99.5090,76169999,99,US,400,H87,18.75,96,110\n"
FORMULA = "=cmd|' /C calc'!A0"
SQL = "'; DROP TABLE shipments; --"


@pytest.fixture
def world(tmp_path):
    client, platform = make_client(tmp_path)
    owner, _org = account(client, "owner")
    return client, platform, owner


def _count(platform) -> int:
    with platform.unit() as unit:
        return unit.session.scalar(select(func.count()).select_from(ShipmentRow))


def _post(client, headers, files, **extra):
    return client.post("/api/v1/shipments", files=files, headers={**headers, **extra})


def _record_yaml(**changes) -> bytes:
    data = shipment_data(**changes)
    data.pop("goods")
    data["goods_sheet"] = "goods.csv"
    return yaml.safe_dump(data, allow_unicode=True).encode()


def _csv(*rows: dict[str, str]) -> bytes:
    return (HEADER + "".join(ROW.format(**row) for row in rows)).encode()


def _example_files():
    return {
        "record": ("shipment.yaml", (SHEET_EXAMPLE / "shipment.yaml").read_bytes(), "text/yaml"),
        "goods": ("goods.xlsx", (SHEET_EXAMPLE / "goods.xlsx").read_bytes(), XLSX),
    }


def _refused(response, platform, before, status, path):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert path in [error["path"] for error in response.json().get("errors", [])]
    assert "Traceback" not in response.text
    assert _count(platform) == before


def test_the_250_line_workbook_of_example_03_becomes_a_shipment(world):
    client, platform, owner = world
    created = _post(client, owner, _example_files())
    assert created.status_code == 201, created.text
    read = client.get(f"/api/v1/shipments/{created.json()['id']}", headers=owner).json()
    assert len(read["record"]["goods"]) == 250
    assert read["record"]["reference"] == "DIS-2026-SO-55810"
    assert _count(platform) == 1


def test_a_new_version_can_be_uploaded_with_its_sheet(world):
    client, _platform, owner = world
    created = _post(client, owner, _example_files()).json()
    files = _example_files()
    record = files["record"][1].replace(b"DIS-2026-SO-55810", b"DIS-2026-SO-55811")
    files["record"] = ("shipment.yaml", record, "application/yaml")
    updated = client.put(
        f"/api/v1/shipments/{created['id']}", files=files, headers={**owner, "If-Match": '"1"'}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2


def test_a_record_with_its_goods_and_no_sheet_is_accepted(world):
    client, _platform, owner = world
    record = json.dumps(shipment_data()).encode()
    created = _post(client, owner, {"record": ("shipment.json", record, "application/json")})
    assert created.status_code == 201, created.text


def test_a_formula_in_a_csv_cell_is_stored_as_text(world):
    client, _platform, owner = world
    sheet = _csv({"part": "P1", "description": f'"{FORMULA}"', "hts": "7616.99.5190"})
    files = {"record": ("shipment.yaml", _record_yaml(), ""), "goods": ("goods.csv", sheet, "")}
    created = _post(client, owner, files)
    assert created.status_code == 201, created.text
    read = client.get(f"/api/v1/shipments/{created.json()['id']}", headers=owner).json()
    assert read["record"]["goods"][0]["description"]["en"] == FORMULA


def test_a_bad_cell_is_refused_with_its_field_path_and_row(world):
    client, platform, owner = world
    sheet = _csv(
        {"part": "P1", "description": "Bracket", "hts": "7616.99.5190"},
        {"part": "P2", "description": "Bracket", "hts": "nope"},
    )
    files = {"record": ("shipment.yaml", _record_yaml(), ""), "goods": ("goods.csv", sheet, "")}
    refused = _post(client, owner, files)
    _refused(refused, platform, 0, 422, "goods[1].hts")
    assert "row 3" in refused.json()["errors"][0]["detail"]


def test_sql_metacharacters_in_the_record_are_stored_verbatim(world):
    client, platform, owner = world
    data = shipment_data(reference=SQL)
    data["parties"]["buyer"]["name"] = f"Robert'); DROP TABLE shipments;-- {SQL}"
    created = _post(client, owner, {"record": ("x.json", json.dumps(data).encode(), "")})
    assert created.status_code == 201, created.text
    read = client.get(f"/api/v1/shipments/{created.json()['id']}", headers=owner).json()
    assert read["record"]["reference"] == SQL
    assert read["record"]["parties"]["buyer"]["name"].endswith(SQL)
    listed = client.get("/api/v1/shipments", params={"reference": SQL}, headers=owner)
    assert [item["reference"] for item in listed.json()["items"]] == [SQL]
    assert _count(platform) == 1


def test_malformed_workbook_bytes_are_refused(world):
    client, platform, owner = world
    files = _example_files()
    files["goods"] = ("goods.xlsx", b"PK\x03\x04 this is not a workbook", XLSX)
    _refused(_post(client, owner, files), platform, 0, 422, "goods")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(world):
    client, platform, owner = world
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    files = _example_files()
    files["goods"] = ("goods.xlsx", bomb.getvalue(), XLSX)
    refused = _post(client, owner, files)
    _refused(refused, platform, 0, 422, "goods")
    assert "zip bomb" in refused.text


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\..\\boot.ini"])
def test_a_sheet_named_like_a_path_without_its_kind_is_refused(world, name):
    client, platform, owner = world
    files = _example_files()
    files["goods"] = (name, files["goods"][1], "application/octet-stream")
    _refused(_post(client, owner, files), platform, 0, 415, "goods")


def test_a_sheet_named_like_a_path_is_only_a_label(world):
    client, _platform, owner = world
    files = _example_files()
    files["goods"] = ("../../../../tmp/évil\x01name.xlsx", files["goods"][1], XLSX)
    created = _post(client, owner, files)
    assert created.status_code == 201, created.text


XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE shipment [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b"<shipment><reference>&xxe;</reference></shipment>"
)


@pytest.mark.parametrize(
    ("files", "status", "path"),
    [
        ({"record": ("shipment.xml", XXE, "application/xml")}, 415, "record"),
        ({"record": ("shipment", XXE, "application/xml")}, 415, "record"),
        ({"record": (None, XXE, "text/plain")}, 422, "record"),
    ],
)
def test_an_xml_record_with_an_external_entity_is_refused(world, files, status, path):
    client, platform, owner = world
    refused = _post(client, owner, files)
    _refused(refused, platform, 0, status, path)
    assert "root:" not in refused.text


def test_an_xml_body_is_refused(world):
    client, platform, owner = world
    refused = client.post(
        "/api/v1/shipments", content=XXE, headers={**owner, "Content-Type": "application/xml"}
    )
    assert refused.status_code == 415
    assert "root:" not in refused.text
    assert _count(platform) == 0


@pytest.mark.parametrize(
    ("files", "status", "path"),
    [
        ({"goods": ("goods.csv", b"x", "text/csv")}, 422, "record"),
        (
            [
                ("record", ("a.yaml", b"reference: a", "")),
                ("record", ("b.yaml", b"reference: b", "")),
            ],
            422,
            "record",
        ),
        ({"record": ("a.yaml", b"a: 1", ""), "attachment": ("x.txt", b"x", "")}, 422, "body"),
        (
            {"record": ("shipment.yaml", (SHEET_EXAMPLE / "shipment.yaml").read_bytes(), "")},
            422,
            "goods",
        ),
    ],
    ids=["no record", "two records", "unknown part", "named sheet not sent"],
)
def test_missing_repeated_or_unknown_parts_are_refused(world, files, status, path):
    client, platform, owner = world
    _refused(_post(client, owner, files), platform, 0, status, path)


def test_goods_in_the_record_and_a_sheet_are_refused(world):
    client, platform, owner = world
    files = {
        "record": ("shipment.json", json.dumps(shipment_data()).encode(), ""),
        "goods": _example_files()["goods"],
    }
    _refused(_post(client, owner, files), platform, 0, 422, "goods")


def test_a_part_over_its_limit_is_refused(world, monkeypatch):
    client, platform, owner = world
    monkeypatch.setitem(uploads.LIMITS, "goods", 1024)
    _refused(_post(client, owner, _example_files()), platform, 0, 413, "goods")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\nab"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="record"',
        ),
        ("multipart/form-data; boundary=x", b"garbage"),
    ],
    ids=["no boundary", "part without a name", "truncated", "no parts"],
)
def test_a_malformed_multipart_body_is_refused(world, content_type, body):
    client, platform, owner = world
    refused = client.post(
        "/api/v1/shipments", content=body, headers={**owner, "Content-Type": content_type}
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "upload.malformed"
    assert _count(platform) == 0


def test_a_retried_upload_with_an_idempotency_key_makes_one_shipment(world):
    client, platform, owner = world
    files = _example_files()
    first = _post(client, owner, files, **{"Idempotency-Key": "upload-1"})
    request = first.request
    again = client.post(
        "/api/v1/shipments",
        content=request.content,
        headers={
            **owner,
            "Content-Type": request.headers["content-type"],
            "Idempotency-Key": "upload-1",
        },
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert _count(platform) == 1


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'.encode()
        for n in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def test_a_workbook_with_an_entity_expansion_bomb_is_refused(world):
    client, platform, owner = world
    original = (SHEET_EXAMPLE / "goods.xlsx").read_bytes()
    bombed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(bombed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = LAUGHS
            target.writestr(item, data)
    files = _example_files()
    files["goods"] = ("goods.xlsx", bombed.getvalue(), XLSX)
    refused = _post(client, owner, files)
    _refused(refused, platform, 0, 422, "goods")
    assert "lollol" not in refused.text


def _string_leaves(value, path=()):
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_leaves(item, (*path, index))


def _set(data, path, value):
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def test_sql_metacharacters_in_every_string_field_are_stored_verbatim_or_refused(world):
    client, platform, owner = world
    leaves = list(_string_leaves(shipment_data()))
    assert len(leaves) > 30
    stored = 0
    for number, path in enumerate(leaves):
        data = shipment_data(reference=f"SQL-{number}")
        payload = f'{SQL} " OR 1=1 -- ; \\x00 %'
        if path != ("reference",):
            _set(data, path, payload)
        body = json.dumps(data).encode()
        answer = client.post(
            "/api/v1/shipments", content=body, headers={**owner, "Content-Type": "application/json"}
        )
        where = ".".join(map(str, path))
        assert answer.status_code in {201, 422}, (where, answer.text)
        if answer.status_code == 422:
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert _count(platform) == stored, where
            continue
        stored += 1
        read = client.get(f"/api/v1/shipments/{answer.json()['id']}", headers=owner).json()
        found = read["record"]
        for step in path:
            found = found[step]
        assert found == payload or path == ("reference",), where
    assert stored > 0


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("reference",), "SPM\x00-1"),
        (("parties", "buyer", "name"), "Robert\x00'); DROP TABLE shipments;--"),
        (("parties", "buyer", "name"), "bell\x07"),
    ],
)
def test_a_control_character_in_a_text_is_refused_with_its_field(world, path, text):
    # PostgreSQL text cannot hold U+0000: before, the reference reached the INSERT (a 500)
    client, platform, owner = world
    data = shipment_data()
    _set(data, path, text)
    refused = client.post(
        "/api/v1/shipments",
        content=json.dumps(data).encode(),
        headers={**owner, "Content-Type": "application/json", "Accept-Language": "es"},
    )
    _refused(refused, platform, 0, 422, ".".join(path))
    assert "U+00" in refused.text
