"""KvK bulk files: the sandbox's generator, the streaming reader (test selection, import batches,
bad rows with their line numbers, column mapping) and the target-group criteria."""

import io
from datetime import date

import pytest
import requests
from addon_clients import load_clients

from sandbox import kvk_bulk as generator
from sandbox import start_in_thread
from sandbox.services.kvk_population import MUNICIPALITY_OF, kvk_number

kvk = load_clients("kvk_connector")
bulk = kvk.kvk_bulk
TODAY = date(2026, 3, 2)
CRITERIA = [
    kvk.Criteria.parse(postcodes="5200-5500", sbi_include="62 47"),
    kvk.Criteria.parse(sbi_include="62", sbi_main_only=False, sbi_exclude="4711"),
    kvk.Criteria.parse(municipalities="'s-Hertogenbosch, Utrecht", legal_forms=["bv", "nv"]),
    kvk.Criteria.parse(employee_classes=["2-4", "500+"], main_branches_only=True),
    kvk.Criteria.parse(legal_forms=["vereniging", "vve", "eenmanszaak"], postcodes="1000-1999 9000-9999"),
    kvk.Criteria.parse(kvk_numbers="68750110 69599084"),
    kvk.Criteria.parse(kvk_numbers="68750110", municipalities="Zwolle"),
    kvk.Criteria(),
]


@pytest.fixture(scope="module")
def bulk_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("bulk") / "bulk.csv"
    with open(path, "wb") as out:
        written = generator.write(out, 30_000, seed=4242, bad_every=1_499)
    return path, written


def lines(result):
    return [(bad.line, bad.reason) for bad in result.bad_rows]


# -- the generator ---------------------------------------------------------------------------------


def test_generated_files_are_the_same_for_the_same_seed():
    one, two, other = io.BytesIO(), io.BytesIO(), io.BytesIO()
    generator.write(one, 5_000, seed=11)
    generator.write(two, 5_000, seed=11)
    generator.write(other, 5_000, seed=12)
    assert one.getvalue() == two.getvalue() != other.getvalue()
    text = one.getvalue().decode().splitlines()
    assert text[0] == ";".join(generator.COLUMNS) and len(text) == 5_001
    assert all(len(line.split(";")) == len(generator.COLUMNS) for line in text)
    donald = [line for line in text if line.startswith("68750110;")]
    assert [line.split(";")[1] for line in donald] == ["000037178598", "000037178601"]


def test_rows_of_the_bulk_population_are_what_the_profiles_answer():
    server = start_in_thread(seed=4243)
    try:
        out = io.BytesIO()
        generator.write(out, 3_000, seed=4243)
        rows = [line.split(";") for line in out.getvalue().decode().splitlines()[1:]]
        population = [row for row in rows if row[0][0] in "24"]
        assert population[0][0] == kvk_number(0)
        column = {name: index for index, name in enumerate(generator.COLUMNS)}
        with requests.Session() as session:
            for row in population[:: len(population) // 15]:
                answer = session.get(f"{server.url}/kvk/api/v1/basisprofielen/{row[0]}",
                                     headers={"apikey": "sandbox-bulk"}, timeout=5)  # fmt: skip
                profile = kvk.parse_basisprofiel(answer.json())
                assert profile.name == row[column["naam"]]
                assert profile.legal_form == row[column["rechtsvorm"]]
                assert (profile.main_activity.code if profile.main_activity else "") == row[
                    column["sbi_hoofdactiviteit"]
                ]
                if row[column["vestigingsnummer"]]:
                    assert profile.branch_number == row[column["vestigingsnummer"]]
                    assert profile.employees == int(row[column["werkzame_personen"]])
                assert profile.visiting.postcode.replace(" ", "") == row[column["postcode"]]
                assert profile.visiting.city == row[column["plaats"]]
    finally:
        server.stop()


# -- test selection --------------------------------------------------------------------------------


@pytest.mark.parametrize("criteria", CRITERIA, ids=range(len(CRITERIA)))
def test_selection_agrees_with_the_row_by_row_reference(bulk_file, criteria):
    path, _written = bulk_file
    fast = bulk.run_test_selection(path, criteria, municipality_of=MUNICIPALITY_OF, today=TODAY)
    slow = bulk.csv_test_selection(path, criteria, municipality_of=MUNICIPALITY_OF, today=TODAY)
    assert (fast.rows, fast.matches, fast.bad_count) == (slow.rows, slow.matches, slow.bad_count)
    assert [(r.line, r.values) for r in fast.sample] == [(r.line, r.values) for r in slow.sample]
    assert lines(fast) == lines(slow)
    assert fast.rows == 30_000
    for row in fast.sample:
        assert criteria.decide(row.candidate(MUNICIPALITY_OF, TODAY)).verdict is True


def test_selection_counts_and_band(bulk_file):
    path, _written = bulk_file
    everything = bulk.run_test_selection(path, kvk.Criteria(), today=TODAY)
    assert everything.band == "above" and len(everything.sample) == 20
    few = bulk.run_test_selection(path, kvk.Criteria.parse(kvk_numbers="68750110"), today=TODAY)
    assert few.matches == 2 and few.band == "below"
    assert [row.branch_number for row in few.sample] == ["000037178598", "000037178601"]
    assert few.sample[0].employees == 3 and few.sample[0].name == "Test BV Donald"


def test_bad_rows_are_reported_with_their_line_numbers(bulk_file):
    path, written = bulk_file
    result = bulk.run_test_selection(path, kvk.Criteria(), today=TODAY)
    assert result.bad_count == len(written.bad_lines) == 20
    reasons = {
        "columns": "7 columns instead of 23",
        "kvk_nummer": "is not 8 digits",
        "postcode": "is not a Dutch postcode",
        "werkzame_personen": "is not a whole number",
        "vestigingsnummer": "is not 12 digits",
    }
    assert [bad.line for bad in result.bad_rows] == sorted(written.bad_lines)
    codes = {
        "columns": "columns",
        "kvk_nummer": "kvk_number",
        "postcode": "postcode",
        "werkzame_personen": "employees",
        "vestigingsnummer": "branch_number",
    }
    for bad in result.bad_rows:
        assert reasons[written.bad_lines[bad.line]] in bad.reason, (bad.line, bad.reason)
        assert bad.text
        # the same in a form a caller words in its user's language
        assert bad.code == codes[written.bad_lines[bad.line]], (bad.line, bad.code)
        assert bulk.problem_text(bad.code, bad.args) == bad.reason
    limited = bulk.run_test_selection(path, kvk.Criteria(), max_bad_rows=3, today=TODAY)
    assert limited.bad_count == 20 and len(limited.bad_rows) == 3


HOSTILE = (
    "\ufeffkvk_nummer;vestigingsnummer;naam;postcode;plaats;werkzame_personen\r\n"  # 1 header with a BOM
    "30000001;000300000011;Plain;5211AA;'s-Hertogenbosch;3\r\n"  # 2
    '30000002;000300000021;"Semi; colon";5212AB;\'s-Hertogenbosch;4\r\n'  # 3 quoted separator: kept
    '30000003;000300000031;"Say ""hi""";5213AC;\'s-Hertogenbosch;2\r\n'  # 4 quoted quotes: kept
    "\r\n"  # 5 empty
    "30000004;000300000041;Short;5214AD\r\n"  # 6 too few columns
    '30000005;000300000051;"Line\r\n'  # 7 a quoted value over two lines: two bad rows
    "two\";5215AE;'s-Hertogenbosch;2\r\n"  # 8
    "3000000X;000300000061;Letters;5216AF;'s-Hertogenbosch;2\r\n"  # 9 bad KvK number
    "30000007;000300000071;Caf\xe9;5217AG;'s-Hertogenbosch;2\r\n"  # 10 latin-1 byte: not UTF-8
    "30000008;000300000081;Last;3511AH;Utrecht;2"  # 11 no line end
)


def test_hostile_file_line_by_line():
    data = HOSTILE.replace("\ufeff", "").encode("latin-1")
    data = b"\xef\xbb\xbf" + data
    mapping = bulk.ColumnMapping({name: header for name, header in bulk.FIELDS.items() if name in (
        "kvk_number", "branch_number", "name", "postcode", "city", "employees")})  # fmt: skip
    result = bulk.run_test_selection(io.BytesIO(data), kvk.Criteria(), mapping=mapping, today=TODAY)
    assert [row.line for row in result.sample] == [2, 3, 4, 11]
    assert [row.name for row in result.sample] == ["Plain", "Semi; colon", 'Say "hi"', "Last"]
    assert [bad.line for bad in result.bad_rows] == [6, 7, 8, 9, 10]
    reasons = dict(lines(result))
    assert reasons[6] == "4 columns instead of 6"
    assert "span lines" in reasons[7] and "span lines" in reasons[8]
    assert "KvK number '3000000X'" in reasons[9]
    assert reasons[10] == "text that is not utf-8"
    assert (result.rows, result.matches, result.bad_count) == (9, 4, 5)
    municipality = kvk.Criteria.parse(municipalities="'s-Hertogenbosch")
    assert bulk.run_test_selection(io.BytesIO(data), municipality, mapping=mapping, today=TODAY).matches == 3


def test_column_mapping():
    mapping = bulk.ColumnMapping.parse(
        """
        # our export
        kvk_number = KvK
        branch_number: Vestiging
        postcode = PC
        municipality =
        """,
        delimiter=",",
    )
    assert mapping.columns["kvk_number"] == "KvK" and mapping.columns["municipality"] == ""
    text = "KvK,Vestiging,PC,plaats,sbi_hoofdactiviteit\n30000001,000300000011,5211AA,Rosmalen,62100\n"
    text += "30000002,000300000021,3511AA,Utrecht,62100\n30000003,,5241AB,Rosmalen,47111\n"
    by_place = kvk.Criteria.parse(municipalities="'s-Hertogenbosch", sbi_include="62")
    result = bulk.run_test_selection(io.BytesIO(text.encode()), by_place, mapping=mapping,
                                     municipality_of=MUNICIPALITY_OF, today=TODAY)  # fmt: skip
    assert result.matches == 1 and result.sample[0].kvk_number == "30000001"
    with pytest.raises(bulk.BulkFileError) as caught:
        bulk.run_test_selection(io.BytesIO(b"nummer;naam\n1;x\n"), kvk.Criteria())
    assert caught.value.code == "missing_column" and "kvk_nummer" in caught.value.message
    with pytest.raises(bulk.BulkFileError) as caught:
        bulk.run_test_selection(io.BytesIO(b""), kvk.Criteria())
    assert caught.value.code == "empty"
    with pytest.raises(bulk.BulkFileError) as caught:
        bulk.ColumnMapping.parse("colour = kleur")
    assert caught.value.code == "mapping" and "colour" in caught.value.message
    with pytest.raises(bulk.BulkFileError):
        bulk.ColumnMapping.parse("kvk_number =")
    with pytest.raises(bulk.BulkFileError):
        bulk.ColumnMapping.parse("this is not a mapping")
    # a column the criteria need is missing: nothing can match it
    no_postcode = bulk.ColumnMapping.parse("postcode =")
    path_text = ";".join(bulk.FIELDS.values()).replace(";postcode", "") + "\n"
    assert bulk.run_test_selection(io.BytesIO(path_text.encode()), CRITERIA[0], mapping=no_postcode).matches == 0
    lacking = bulk.run_test_selection(io.BytesIO(b"kvk_nummer;naam\n68750110;x\n"), CRITERIA[0])
    assert lacking.matches == 0 and "postcode (postcode)" in lacking.missing_columns


# -- import batches ---------------------------------------------------------------------------------


def test_import_batches_hold_every_match_once_and_resume(bulk_file):
    path, written = bulk_file
    criteria = kvk.Criteria.parse(legal_forms=["bv"], main_branches_only=True)
    selection = bulk.run_test_selection(path, criteria, sample_size=10**6, max_bad_rows=10**6, today=TODAY)
    batches = list(bulk.iter_matches(path, criteria, batch_size=500, today=TODAY))
    rows = [row for batch in batches for row in batch.rows]
    assert [row.line for row in rows] == [row.line for row in selection.sample]
    assert all(len(batch.rows) == 500 for batch in batches[:-1]) and len(batches[-1].rows) < 500
    assert [bad.line for batch in batches for bad in batch.bad_rows] == sorted(written.bad_lines)
    ends = [batch.last_line for batch in batches]
    assert ends == sorted(ends) and ends[-1] == 30_000 + 1 + len(written.empty_lines)
    for batch in batches[:-1]:
        assert batch.rows[-1].line == batch.last_line
    first = rows[0]
    assert isinstance(first.employees, int) and first.values["legal_form"] == "Besloten Vennootschap"
    assert set(first.values) == set(bulk.FIELDS)
    # a crash after the third batch: resume from its last line
    resumed = list(bulk.iter_matches(path, criteria, batch_size=500, start_line=batches[2].last_line, today=TODAY))
    again = [row.line for batch in resumed for row in batch.rows]
    assert again == [row.line for row in rows[1500:]]
    resumed_bad = [bad.line for batch in resumed for bad in batch.bad_rows]
    assert resumed_bad == [line for line in sorted(written.bad_lines) if line > batches[2].last_line]
    with pytest.raises(ValueError):
        next(bulk.iter_matches(path, criteria, batch_size=0))


# -- criteria ---------------------------------------------------------------------------------------


def candidate(source="bulk", **values):
    return kvk.Candidate(source, values.pop("kvk_number", "30000001"), **values)


def test_criteria_parse_and_refuse():
    criteria = kvk.Criteria.parse(
        sbi_include="62, 4711\n01",
        postcodes="5200-5500; 1000 3000–3099",
        municipalities="Utrecht\n's-Hertogenbosch",
        kvk_numbers="68750110 68750110",
    )
    assert criteria.sbi_include == ("62", "4711", "01")
    assert criteria.postcode_ranges == ((5200, 5500), (1000, 1000), (3000, 3099))
    assert criteria.municipalities == ("Utrecht", "'s-Hertogenbosch") and criteria.kvk_numbers == ("68750110",)
    for kwargs, field in [({"sbi_include": "6a"}, "sbi_include"), ({"sbi_exclude": "123456"}, "sbi_exclude"),
                          ({"postcodes": "5500-5200"}, "postcode"), ({"postcodes": "52"}, "postcode"),
                          ({"kvk_numbers": "1234"}, "kvk_numbers"), ({"legal_forms": ["gmbh"]}, "legal_form"),
                          ({"employee_classes": ["3-7"]}, "employees")]:  # fmt: skip
        with pytest.raises(kvk.CriteriaError) as caught:
            kvk.Criteria.parse(**kwargs)
        assert caught.value.field == field and caught.value.message


def test_which_source_decides_which_criterion():
    criteria = kvk.Criteria.parse(sbi_include="62", postcodes="5200-5500", municipalities="Utrecht",
                                  legal_forms=["bv"], employee_classes=["1"], kvk_numbers="68750110",
                                  main_branches_only=True, sbi_exclude="6209")  # fmt: skip
    assert criteria.applied_by_kvk() == ("sbi_include", "postcode", "municipality", "legal_form")
    assert criteria.filtered_locally() == ("kvk_numbers", "sbi_exclude", "employees", "main_branches_only")
    assert criteria.decidable_from("zoeken") == ("kvk_numbers", "municipality", "main_branches_only", "active")
    assert criteria.needs_more_than("zoeken") == ("sbi_include", "sbi_exclude", "postcode", "legal_form", "employees")
    assert criteria.needs_more_than("signal") == ("municipality",)
    assert criteria.needs_more_than("basisprofiel") == ()
    assert criteria.needs_more_than("vestigingsprofiel") == ("legal_form",)
    assert criteria.needs_more_than("kvk") == tuple(n for n in criteria.active_criteria() if n != "kvk_numbers")


def test_decide_match_no_match_undecided():
    criteria = kvk.Criteria.parse(sbi_include="62", postcodes="5200-5500", municipalities="'s-Hertogenbosch")
    fits = dict(sbi_main="62100", postcode="5241AB", municipality="s Hertogenbosch")
    assert criteria.decide(candidate(**fits)).verdict is True
    assert criteria.decide(candidate(**{**fits, "postcode": "5600AA"})) == kvk.Decision(False, ("postcode",))
    assert criteria.decide(candidate(**{**fits, "postcode": ""})).failed == ("postcode",)
    assert criteria.decide(candidate(**{**fits, "active": False})).failed == ("active",)
    hit = kvk.SearchHit("30000001", "000300000011", "X", "hoofdvestiging", True,
                        kvk.Address(city="Rosmalen"))  # fmt: skip
    free = kvk.Candidate.from_search_hit(hit, MUNICIPALITY_OF)
    assert free.municipality == "'s-Hertogenbosch"
    assert criteria.decide(free) == kvk.Decision(None, (), ("sbi_include", "postcode"))
    elsewhere = kvk.Candidate.from_search_hit(kvk.SearchHit("30000001", "", "X", "rechtspersoon", True,
                                                            kvk.Address(city="Zwolle")))  # fmt: skip
    assert criteria.decide(elsewhere) == kvk.Decision(False, ("municipality",), ("sbi_include", "postcode"))
    # SBI on all activities, exclusions and prefixes
    all_codes = kvk.Criteria.parse(sbi_include="47", sbi_exclude="4711", sbi_main_only=False)
    assert all_codes.decide(candidate(sbi_main="10110", sbi_other=("47190",))).verdict is True
    assert all_codes.decide(candidate(sbi_main="47111")).failed == ("sbi_exclude",)
    assert (
        kvk.Criteria.parse(sbi_include="47").decide(candidate(sbi_main="10110", sbi_other=("47190",))).verdict is False
    )
    # explicit numbers are always in; alone they are the whole group
    numbers = kvk.Criteria.parse(kvk_numbers="68750110", postcodes="1000-1099")
    assert numbers.decide(candidate(kvk_number="68750110", postcode="9999ZZ", active=False)).verdict is True
    assert numbers.decide(candidate(postcode="1011AA")).verdict is True
    only = kvk.Criteria.parse(kvk_numbers="68750110")
    assert only.decide(candidate(postcode="1011AA")).failed == ("kvk_numbers",)
    assert kvk.Criteria().decide(candidate()).verdict is True


def test_legal_forms_and_employee_classes():
    key = kvk.kvk_criteria.legal_form_key
    assert (
        key("Besloten Vennootschap")
        == key("BeslotenVennootschap")
        == key("Besloten vennootschap met gewone structuur")
        == "bv"
    )
    assert (
        key("Vereniging van Eigenaars") == "vve" and key("Vereniging met volledige rechtsbevoegdheid") == "vereniging"
    )
    assert key("Coöperatie") == key("Cooperatie U.A.") == "cooperatie" and key("BV") == "bv"
    assert key("Eenmanszaak met meer dan één eigenaar") == "eenmanszaak" and key("GmbH") == "" and key(None) == ""
    classes = kvk.kvk_criteria.employee_class
    assert [classes(n) for n in (0, 1, 3, 9, 10, 499, 500, 12000, None)] == [
        "0", "1", "2-4", "5-9", "10-19", "250-499", "500+", "500+", ""]  # fmt: skip
    criteria = kvk.Criteria.parse(employee_classes=["0", "10-19"], legal_forms=["vereniging"])
    assert criteria.decide(candidate(employees=12, legal_form="vereniging")).verdict is True
    assert criteria.decide(candidate(employees=None, legal_form="vereniging")).failed == ("employees",)
    assert criteria.decide(candidate(employees=0, legal_form="vve")).failed == ("legal_form",)
    assert kvk.kvk_criteria.selection_band(999) == "below" and kvk.kvk_criteria.selection_band(20_000) == "within"
