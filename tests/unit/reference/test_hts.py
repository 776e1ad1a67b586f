from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cruce.reference import hts
from cruce.reference.facts import NotCoveredError
from cruce.reference.hts import (
    HtsImportError,
    HtsRevision,
    import_hts_file,
    import_usitc_json,
    revision_dates,
)
from cruce.reference.hts_store import (
    HtsStore,
    bundled_revisions,
    default_store,
    dump_revision,
    load_revision,
    save_revision,
)

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "usitc_hts"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not here")
EXAMPLES = Path(__file__).resolve().parents[3] / "src" / "cruce" / "examples"
RELEASE_FILES = {
    (2025, 32): "hts_2025_rev_32.json.gz",
    (2026, 3): "hts_2026_rev_3.json.gz",
    (2026, 4): "hts_2026_rev_4.json.gz",
    (2026, 10): "hts_2026_rev_10.json.gz",
}


def row(htsno: str, indent: int | str, description: str, **columns: object) -> dict[str, object]:
    """A row as the USITC JSON release writes it."""
    base: dict[str, object] = {
        "htsno": htsno,
        "indent": str(indent),
        "description": description,
        "superior": None,
        "units": [],
        "general": "",
        "special": "",
        "other": "",
        "footnotes": [],
        "quotaQuantity": None,
        "additionalDuties": None,
    }
    base.update(columns)
    return base


SAMPLE_ROWS = [
    row("7616", 0, "Other articles of aluminum:"),
    row("7616.99", 1, "Other:"),
    row("", 2, "Other:"),
    row(
        "7616.99.51",
        3,
        "Other",
        general="2.5%",
        special="Free (A+,AU,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)",
        other="40%",
        footnotes=[{"columns": ["general"], "value": "See 9903.88.03. ", "type": "endnote"}],
    ),
    row("7616.99.51.60", "04", "Castings", units=["kg"]),
    row("7616.99.51.90", 4, "Other", units=["kg"]),
    row("0711", 0, "Vegetables provisionally preserved:"),
    row(
        "0711.51.00.00",
        1,
        "Mushrooms of the genus Agaricus",
        units=["kg"],
        general="5.7¢/kg on drained weight + 8%",
        special="Free (A+,AU,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)",
        other="9.9¢/kg on drained weight + 45%",
    ),
    row("9102", 0, "Wrist-watches:"),
    row(
        "9102.11.10",
        1,
        "Having a band of textile material",
        general="44¢ each + 6% on the case + 14% on the strap, band or bracelet",
        special="Free (A,AU) See 9823.01.01 (S+)",
        other="The rate applicable to the complete, assembled movement",
    ),
    row("9102.11.10.00", 2, "Other", units=["No."]),
    row("9903.01.01", 0, "Articles the product of Mexico", general="The duty provided in + 25%"),
]


def sample_json(rows: list[dict[str, object]] | None = None) -> bytes:
    return json.dumps(SAMPLE_ROWS if rows is None else rows).encode()


def sample(**overrides: object) -> HtsRevision:
    options: dict[str, object] = {"year": 2026, "revision": 10, "effective": date(2026, 6, 8)}
    options.update(overrides)
    return import_usitc_json(sample_json(), **options)  # type: ignore[arg-type]


class TestImportUsitcJson:
    def test_statistical_line_inherits_the_rates_of_its_eight_digit_line(self):
        line = sample().line("7616995190")
        assert line is not None
        assert (line.general_text, line.other_text, line.rate_from) == ("2.5%", "40%", "76169951")
        assert line.general is not None
        assert line.general.ad_valorem == Decimal("0.025")

    def test_description_joins_the_ancestors(self):
        line = sample().line("7616.99.51.90")
        assert line is not None
        expected = "Other articles of aluminum: > Other: > Other: > Other > Other"
        assert line.description == expected

    def test_units_and_footnotes_come_with_the_line(self):
        line = sample().line("7616995160")
        assert line is not None
        assert line.units == ("kg",)
        assert line.footnotes == ("See 9903.88.03.",)

    def test_a_ten_digit_line_with_its_own_rate_keeps_it(self):
        line = sample().line("0711510000")
        assert line is not None
        assert line.rate_from == "0711510000"
        assert line.general is not None
        assert line.general.kind == "compound"

    def test_special_programs_are_read_and_usmca_free_needs_free_under_s(self):
        revision = sample()
        aluminium, watch = revision.line("76169951"), revision.line("91021110")
        assert aluminium is not None
        assert watch is not None
        assert {"A+", "S", "SG"} <= aluminium.special_programs
        assert aluminium.usmca_free
        assert watch.special_programs == frozenset({"A", "AU", "S+"})
        assert not watch.usmca_free  # S+ points to another heading, it is not Free

    def test_unreadable_rates_are_kept_with_their_reason_and_reported_once(self):
        revision = sample()
        child = revision.line("9102111000")
        assert child is not None
        assert child.general is None
        assert child.general_error is not None
        assert "part of the value" in child.general_error
        assert child.general_text.startswith("44¢ each")
        reported = [entry for entry in revision.unparsed if entry[0].startswith("910211")]
        assert [(code, reason.split(":")[0]) for code, _text, reason in reported] == [
            ("91021110", "general"),
            ("91021110", "other"),
        ]

    def test_chapter99_heading_keeps_its_text(self):
        heading = sample().chapter99("9903.01.01")
        assert heading is not None
        assert heading.general_text == "The duty provided in + 25%"
        assert heading.general is None
        assert sample().chapter99("7616.99.51") is None

    def test_revision_carries_name_date_hash_and_source(self):
        revision = sample()
        assert revision.name == "HTSUS 2026 Revision 10"
        assert revision.effective == date(2026, 6, 8)
        assert revision.sha256 == hashlib.sha256(sample_json()).hexdigest()
        assert revision.source.url == (
            "https://www.usitc.gov/sites/default/files/tata/hts/hts_2026_revision_10_json.json"
        )
        assert revision.complete

    def test_gzipped_release_gives_the_same_revision_and_hash(self):
        zipped = gzip.compress(sample_json())
        revision = import_usitc_json(zipped, year=2026, revision=10, effective=date(2026, 6, 8))
        assert revision == sample()

    def test_basic_edition_is_revision_zero(self):
        revision = sample(year=2026, revision=0, effective=date(2026, 1, 1))
        assert revision.name == "HTSUS 2026 Basic Edition"
        assert revision.source.url is not None
        assert revision.source.url.endswith("hts_2026_basic_edition_json.json")


class TestLookup:
    def test_dotted_and_undotted_codes_find_the_same_line(self):
        revision = sample()
        assert revision.line("7616.99.5190") is revision.line("7616995190") is not None

    def test_an_eight_digit_code_finds_the_rate_line(self):
        line = sample().line("7616.99.51")
        assert line is not None
        assert line.code == "76169951"

    def test_an_unknown_code_is_none(self):
        assert sample().line("7616995199") is None
        assert sample().line("not a code") is None

    def test_lines_cannot_be_changed(self):
        with pytest.raises(TypeError):
            sample().lines["1"] = None  # type: ignore[index]


class TestImportErrors:
    @pytest.mark.parametrize(
        ("data", "fragment"),
        [
            (b"not json", "not UTF-8 JSON"),
            (b"\xff\xfe\x00", "not UTF-8 JSON"),
            (b'{"htsno": "0101"}', "no list of rows"),
            (b"[]", "no 8- or 10-digit"),
            (b"[1, 2]", "row 1"),
            (json.dumps([row("0101.21.00", "x", "Horses")]).encode(), "'indent'"),
            (json.dumps([row("0101.21.00", -1, "Horses")]).encode(), "'indent'"),
            (json.dumps([row("ABCD.21.00", 1, "Horses")]).encode(), "'htsno'"),
            (json.dumps([row("0101.21.00.00.00", 1, "Horses")]).encode(), "'htsno'"),
            (json.dumps([row("0101.21.00", 1, None)]).encode(), "'description'"),
            (json.dumps([row("0101.21.00", 1, "Horses", general=5)]).encode(), "'general'"),
            (json.dumps([row("0101.21.00", 1, "Horses", units="kg")]).encode(), "'units'"),
            (json.dumps([row("0101.21.00", 1, "H", footnotes=[{"value": 1}])]).encode(), "foot"),
            (b"\x1f\x8b\x08\x00garbage", "not valid gzip"),
            (gzip.compress(sample_json(), mtime=0)[:200], "not valid gzip"),
        ],
    )
    def test_a_wrong_file_gives_an_import_error_naming_the_problem(self, data, fragment):
        with pytest.raises(HtsImportError) as raised:
            import_usitc_json(data, year=2026, revision=10, effective=date(2026, 6, 8))
        assert fragment in str(raised.value)
        assert raised.value.message.render("es")

    def test_a_file_over_the_size_limit_is_refused(self, monkeypatch):
        monkeypatch.setattr(hts, "MAX_JSON_BYTES", 100)
        with pytest.raises(HtsImportError, match="larger than"):
            import_usitc_json(sample_json(), year=2026, revision=10, effective=date(2026, 6, 8))
        with pytest.raises(HtsImportError, match="larger than"):
            import_usitc_json(
                gzip.compress(sample_json()), year=2026, revision=10, effective=date(2026, 6, 8)
            )

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=12),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(
                    st.sampled_from(["htsno", "indent", "description", "general", "units"]),
                    children,
                    max_size=5,
                )
            ),
            max_leaves=20,
        )
    )
    def test_any_json_imports_or_gives_an_import_error(self, value):
        data = json.dumps(value).encode()
        with contextlib.suppress(HtsImportError):
            import_usitc_json(data, year=2026, revision=10, effective=date(2026, 6, 8))


class TestImportHtsFile:
    def test_year_revision_and_date_come_from_the_official_file_name(self, tmp_path):
        path = tmp_path / "hts_2026_revision_4_json.json"
        path.write_bytes(sample_json())
        revision = import_hts_file(path)
        assert (revision.year, revision.revision, revision.effective) == (
            2026,
            4,
            date(2026, 2, 24),
        )

    def test_basic_edition_and_gzipped_names_are_understood(self, tmp_path):
        path = tmp_path / "hts_2026_basic_edition_json.json.gz"
        path.write_bytes(gzip.compress(sample_json()))
        revision = import_hts_file(path)
        assert (revision.revision, revision.effective) == (0, date(2026, 1, 1))

    def test_a_name_that_says_nothing_needs_the_edition(self, tmp_path):
        path = tmp_path / "tariff.json"
        path.write_bytes(sample_json())
        with pytest.raises(HtsImportError, match="file name"):
            import_hts_file(path)
        revision = import_hts_file(path, year=2027, revision=1, effective=date(2027, 1, 20))
        assert revision.name == "HTSUS 2027 Revision 1"

    def test_an_unknown_revision_needs_its_date(self, tmp_path):
        path = tmp_path / "hts_2027_revision_3_json.json"
        path.write_bytes(sample_json())
        with pytest.raises(HtsImportError, match="effective date"):
            import_hts_file(path)

    def test_a_missing_file_is_an_import_error(self, tmp_path):
        with pytest.raises(HtsImportError, match="cannot read"):
            import_hts_file(tmp_path / "hts_2026_revision_10_json.json")


class TestRevisionDates:
    def test_known_dates_include_the_bundled_releases(self):
        dates = revision_dates()
        assert dates[(2025, 32)] == date(2025, 11, 15)
        assert dates[(2026, 3)] == date(2026, 2, 12)
        assert dates[(2026, 4)] == date(2026, 2, 24)
        assert dates[(2026, 10)] == date(2026, 6, 8)

    def test_revisions_of_a_year_are_in_date_order(self):
        dates = revision_dates()
        for year in (2025, 2026):
            ordered = [dates[key] for key in sorted(key for key in dates if key[0] == year)]
            assert ordered == sorted(ordered)


class TestHtsStore:
    def store(self) -> HtsStore:
        return HtsStore(
            [
                sample(revision=4, effective=date(2026, 2, 24)),
                sample(revision=3, effective=date(2026, 2, 12)),
            ]
        )

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (date(2026, 2, 12), 3),
            (date(2026, 2, 23), 3),
            (date(2026, 2, 24), 4),
            (date(2030, 1, 1), 4),
        ],
    )
    def test_the_revision_in_force_is_the_latest_that_took_effect(self, day, expected):
        assert self.store().on(day).revision == expected

    def test_a_day_before_the_first_revision_is_not_covered(self):
        with pytest.raises(NotCoveredError):
            self.store().on(date(2026, 2, 11))

    def test_revisions_are_listed_oldest_first(self):
        assert [r.revision for r in self.store().revisions()] == [3, 4]

    def test_a_later_copy_of_the_same_revision_replaces_the_earlier(self):
        first = sample().subset(["7616995190"])
        store = HtsStore([first, sample()])
        assert store.on(date(2026, 7, 1)).complete


class TestSavedRevisions:
    def test_a_saved_revision_reads_back_equal(self, tmp_path):
        revision = sample()
        path = save_revision(revision, tmp_path / "hts")
        assert path.name == "htsus_2026_r10.json.gz"
        assert load_revision(path.read_bytes()) == revision

    def test_the_saved_form_is_deterministic(self):
        assert dump_revision(sample()) == dump_revision(sample())

    def test_a_users_full_revision_replaces_the_bundled_subset(self, tmp_path):
        save_revision(sample(), tmp_path)
        store = default_store(tmp_path)
        in_force = store.on(date(2026, 7, 1))
        assert in_force.complete
        assert in_force.line("0711510000") is not None
        assert len(store.revisions()) == len(bundled_revisions())

    def test_without_user_revisions_the_bundled_subsets_are_used(self, tmp_path):
        store = default_store(tmp_path / "nothing here")
        assert [r.name for r in store.revisions()] == [
            "HTSUS 2025 Revision 32",
            "HTSUS 2026 Revision 3",
            "HTSUS 2026 Revision 4",
            "HTSUS 2026 Revision 10",
        ]

    @pytest.mark.parametrize(
        "data",
        [
            b"",
            b"not gzip",
            gzip.compress(b"[]", mtime=0),
            gzip.compress(b'{"format": "other"}', mtime=0),
            gzip.compress(b'{"format": "cruce-hts/1", "lines": [[1]]}', mtime=0),
            gzip.compress(
                b'{"format": "cruce-hts/1", "lines": [[1, 2, 3, 4, 5, 6, 7, 8]]}', mtime=0
            ),
        ],
        ids=["empty", "not-gzip", "a-list", "another-format", "short-line", "wrong-types"],
    )
    def test_a_damaged_saved_revision_is_an_import_error_naming_the_file(self, data):
        with pytest.raises(HtsImportError, match="damaged"):
            load_revision(data, "htsus_2026_r10.json.gz")

    def test_a_damaged_file_in_the_user_folder_is_reported(self, tmp_path):
        (tmp_path / "htsus_2026_r10.json.gz").write_bytes(b"broken")
        with pytest.raises(HtsImportError, match="htsus_2026_r10"):
            default_store(tmp_path)


def example_codes() -> set[str]:
    codes = set()
    for path in EXAMPLES.glob("*/shipment.yaml"):
        text = path.read_text(encoding="utf-8")
        codes.update(re.sub(r"\D", "", code) for code in re.findall(r'hts: "([\d.]+)"', text))
        assert yaml.safe_load(text)
    return codes


class TestBundledRevisions:
    def test_every_bundled_revision_has_its_date_hash_and_source(self):
        revisions = bundled_revisions()
        assert len(revisions) == 4
        for revision in revisions:
            assert revision.effective == revision_dates()[(revision.year, revision.revision)]
            assert re.fullmatch(r"[0-9a-f]{64}", revision.sha256)
            assert revision.source.citation.startswith("USITC, Harmonized Tariff Schedule")
            assert revision.source.url == (
                "https://www.usitc.gov/sites/default/files/tata/hts/"
                f"hts_{revision.year}_revision_{revision.revision}_json.json"
            )
            assert not revision.complete

    def test_every_shipped_file_is_described_with_its_sha256(self):
        folder = Path(hts.__file__).parent / "data" / "hts"
        readme = (folder / "README.md").read_text("utf-8")
        pattern = re.compile(
            r"^## (\S+).*?\*\*SHA-256\*\*: `([0-9a-f]{64})`", re.MULTILINE | re.DOTALL
        )
        sections = dict(pattern.findall(readme))
        assert set(sections) == {p.name for p in folder.iterdir() if p.name != "README.md"}
        for name, digest in sections.items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name

    def test_bundled_revisions_are_small(self):
        folder = Path(hts.__file__).parent / "data" / "hts"
        assert sum(p.stat().st_size for p in folder.iterdir()) < 200_000

    def test_every_example_code_is_in_every_bundled_revision(self):
        codes = example_codes()
        assert codes
        for revision in bundled_revisions():
            missing = sorted(code for code in codes if revision.line(code) is None)
            assert not missing, (revision.name, missing)

    def test_real_lines_inherit_and_parse(self):
        revision = default_store(Path("/nonexistent")).on(date(2026, 7, 1))
        lemons = revision.line("0805.50.2010")
        assert lemons is not None
        assert (lemons.general_text, lemons.rate_from) == ("2.2¢/kg", "08055020")
        bracket = revision.line("7616.99.5190")
        assert bracket is not None
        assert bracket.general_text == "2.5%"
        assert bracket.usmca_free
        assert revision.chapter99("9903.03.01") is not None
        sugar = revision.line("1701.12.05.00")
        assert sugar is not None
        assert sugar.general is None
        assert any(code == "1701120500" for code, _text, _reason in revision.unparsed)

    def test_the_section_122_headings_arrive_with_revision_4(self):
        store = default_store(Path("/nonexistent"))
        assert store.on(date(2026, 2, 20)).chapter99("9903.03.01") is None
        assert store.on(date(2026, 2, 24)).chapter99("9903.03.01") is not None


@needs_shared
class TestBundledAgainstOfficial:
    @pytest.mark.parametrize(("edition", "name"), sorted(RELEASE_FILES.items()))
    def test_bundled_lines_equal_the_lines_of_the_full_release(self, edition, name):
        year, number = edition
        data = (SHARED / name).read_bytes()
        full = import_usitc_json(
            data, year=year, revision=number, effective=revision_dates()[edition]
        )
        (bundled,) = [r for r in bundled_revisions() if (r.year, r.revision) == edition]
        assert bundled.sha256 == full.sha256
        assert bundled.sha256 == hashlib.sha256(gzip.decompress(data)).hexdigest()
        for code, line in bundled.lines.items():
            assert full.lines[code] == line
        assert set(bundled.unparsed) == {row for row in full.unparsed if row[0] in bundled.lines}

    def test_the_known_hashes_of_the_official_files_match(self):
        expected = {  # pinned independently of the research copy (see shared SOURCES.md)
            "hts_2026_rev_3.json.gz": "fae12fab3c47b54cfb5db7325478d222"
            "409adbcfa8a10812fa2af0d213dff07e",
            "hts_2026_rev_4.json.gz": "0273ec6e6251479a3fc5056e2ed1d4f7"
            "37fa7ee0675bc37c122364cc7a5732a3",
        }
        for name, digest in expected.items():
            assert (
                hashlib.sha256(gzip.decompress((SHARED / name).read_bytes())).hexdigest() == digest
            )
