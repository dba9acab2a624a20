"""creditcheck_semaphore's payload parsers, offline, on fixture files."""

import base64
import io
import zipfile
import zlib
from pathlib import Path

import pytest
from addon_clients import load_clients

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "creditcheck"


def fixture(name, mode="r"):
    with open(FIXTURES / name, mode) as file:
        return file.read()


cc = load_clients("creditcheck_semaphore")
parser = cc.creditcheck_parser


def lines_of_document(text):
    report = cc.ParseReport()
    chunks = [text[i : i + 7] for i in range(0, len(text), 7)]  # tiny chunks: lines cut anywhere
    return list(cc.iter_document_lines(chunks, report)), report


def lines_of_payload(text, max_size=parser.DEFAULT_MAX_DECOMPRESSED):
    report = cc.ParseReport()
    chunks = [text[i : i + 50] for i in range(0, len(text), 50)]
    return list(cc.iter_payload_lines(chunks, report, max_size)), report


def test_document_lines_and_header():
    lines, report = lines_of_document(fixture("complete_small.xml"))
    assert [(line.record_id, line.ico, line.status) for line in lines] == [
        (5861748, "47116307", 3),
        (23585, "25865366", 2),
        (40001, "00177041", 2),
        (40002, "00177041", 3),
    ]
    assert (report.web_method, report.time, report.declared_count) == ("GetCreditChecks", "28.7.2010 6:12:38", 4)
    assert (report.lines_read, report.rejected, dict(report.per_status)) == (4, 0, {3: 2, 2: 2})


def test_bad_lines_are_counted_never_fatal():
    lines, report = lines_of_document(fixture("bad_lines.xml"))
    assert [line.ico for line in lines] == ["47116307", "71409891"]
    assert report.lines_read == 9
    assert report.rejected == 7
    reasons = [reason for _n, reason, _text in report.reject_samples]
    assert [number for number, _reason, _text in report.reject_samples] == [2, 3, 4, 5, 6, 7, 8]
    assert reasons == [
        "expected 3 fields, got 2",
        "non-numeric record ID or IČO",
        "non-numeric record ID or IČO",
        "IČO 00177042 fails the check digit",
        "unknown status 7",
        "non-numeric status",
        "expected 3 fields, got 4",
    ]
    assert "line 2: expected 3 fields" in report.rejects_text()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1;12345678;2", "IČO 12345678 fails the check digit"),
        ("1;90000001;2", "IČO 90000001 fails the check digit"),
        ("1;123456789;2", "IČO longer than 8 digits or record ID too long"),
        ("1;47116307;0", "unknown status 0"),
        ("1;４7116307;2", "non-numeric record ID or IČO"),
        ("", "expected 3 fields, got 1"),
        (";;", "empty record ID, IČO or status"),
        ("1;;3", "empty record ID, IČO or status"),
        ("1;47116307;", "empty record ID, IČO or status"),
        (" ; ; ", "empty record ID, IČO or status"),
    ],
)
def test_parse_line_rejects(text, reason):
    assert cc.parse_line(text) == (None, reason)


def test_ico_check_uses_the_legal_entity_rule():
    for good in ("00177041", "25865366", "47116307", "63493551", "68407700", "45274649", "71409891"):
        assert parser.ico_is_valid(good)
        assert cc.parse_line(f"1;{good};2")[0].ico == good
    for bad in ("00177042", "12345678", "4711630", "CZ47116307"):
        assert not parser.ico_is_valid(bad)


def test_compressed_payload_zip_then_base64():
    lines, report = lines_of_payload(fixture("complete_small.b64"))
    assert len(lines) == 4 and report.rejected == 0


def test_compressed_payload_as_bare_deflate_too():
    document = fixture("complete_small.xml").encode()
    for wbits in (-zlib.MAX_WBITS, zlib.MAX_WBITS):
        compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
        packed = compressor.compress(document) + compressor.flush()
        lines, _report = lines_of_payload(base64.b64encode(packed).decode())
        assert len(lines) == 4


@pytest.mark.parametrize(
    ("name", "code"),
    [("truncated.b64", "base64"), ("corrupt_zip.b64", "zip"), ("not_base64.b64", "base64")],
)
def test_broken_payloads_raise_a_clear_error(name, code):
    with pytest.raises(cc.CreditcheckError) as caught:
        lines_of_payload(fixture(name))
    assert caught.value.code == code
    assert "compress" in caught.value.message or "zip" in caught.value.message


def test_truncated_zip_of_whole_quanta():
    text = fixture("complete_small.b64").strip()
    raw = base64.b64decode(text)
    with pytest.raises(cc.CreditcheckError) as caught:
        lines_of_payload(base64.b64encode(raw[: len(raw) - 30]).decode())
    assert caught.value.code == "zip"


def test_zip_bomb_stops_at_the_configured_size():
    with pytest.raises(cc.CreditcheckError) as caught:
        lines_of_payload(fixture("bomb_2mb.b64"), max_size=1024 * 1024)
    assert caught.value.code == "oversize"
    assert "1048576" in caught.value.message
    lines, _report = lines_of_payload(fixture("bomb_2mb.b64"), max_size=4 * 1024 * 1024)
    assert len(lines) == 160000


def test_zip_lying_about_its_size_is_still_capped():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "a.xml", b"<creditCheck><data><![CDATA[" + b"1;47116307;3\n" * 100000 + b"]]></data></creditCheck>"
        )
    raw = bytearray(buffer.getvalue())
    # patch the declared size in the central directory to something small
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (100).to_bytes(4, "little")
    with pytest.raises(cc.CreditcheckError) as caught:
        lines_of_payload(base64.b64encode(bytes(raw)).decode(), max_size=500_000)
    assert caught.value.code in ("oversize", "zip")


def test_zip_with_two_files_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", "<creditCheck/>")
        archive.writestr("b.xml", "<creditCheck/>")
    with pytest.raises(cc.CreditcheckError, match=r"more than one file \(a.xml, then b.xml\)"):
        lines_of_payload(base64.b64encode(buffer.getvalue()).decode())


def test_doctype_and_entities_are_refused():
    with pytest.raises(cc.CreditcheckError) as caught:
        lines_of_document(fixture("doctype_entity.xml"))
    assert caught.value.code == "xml"


def test_not_xml_and_wrong_root():
    with pytest.raises(cc.CreditcheckError, match="not well-formed"):
        lines_of_document("<creditCheck><data>1;47116307;3")
    with pytest.raises(cc.CreditcheckError, match="not <creditCheck>"):
        lines_of_document("<html><body/></html>")


def test_soap_fault_becomes_a_login_error():
    with pytest.raises(cc.CreditcheckError) as caught:
        list(cc.iter_answer_lines([fixture("fault_login.xml", "rb")], cc.ParseReport()))
    assert caught.value.code == "login_refused"
