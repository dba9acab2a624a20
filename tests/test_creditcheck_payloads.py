"""Every plausible shape of a CreditCheck answer, told apart by its content; bad shapes refused."""

import base64
import gzip
import io
import signal
import zipfile
import zlib

import pytest
from test_creditcheck_parser import cc

from sandbox.services.creditcheck import compress_chunks, compressed_result, document_chunks, escaped, soap_answer

LINES = ["5861748;47116307;3", "23585;25865366;2", "40001;00177041;2"]
EXPECTED = [(5861748, "47116307", 3), (23585, "25865366", 2), (40001, "00177041", 2)]


def lines_of(chunks, report=None):
    report = report or cc.ParseReport()
    return [tuple(line) for line in cc.iter_payload_lines(chunks, report)], report


def chunked(data, size=7):
    return [data[i : i + size] for i in range(0, len(data), size)]


def result_text(shape, how, **layout):
    return b"".join(compressed_result("GetCreditChecks", "1.1.2026 6:00:00", LINES, how, shape, **layout)).decode()


@pytest.mark.parametrize("how", ["zip", "gzip", "zlib", "deflate"])
@pytest.mark.parametrize("shape", ["document", "lines", "data"])
def test_every_compressed_shape(shape, how):
    text = result_text(shape, how)
    if shape == "data":
        assert text.startswith("<creditCheck>")
    lines, report = lines_of(chunked(text, 5))
    assert lines == EXPECTED
    assert report.rejected == 0
    name = {"zip": "a zip", "gzip": "a gzip stream", "zlib": "a zlib stream", "deflate": "a raw deflate stream"}[how]
    assert name in report.shape_text()
    if shape != "lines":
        assert report.declared_count == 3


def test_plain_document_and_bare_lines():
    document = b"".join(document_chunks("GetCreditChecks", "1.1.2026", LINES)).decode()
    assert lines_of(chunked(document))[0] == EXPECTED
    assert lines_of(chunked("\n".join(LINES)))[0] == EXPECTED
    assert lines_of(["\n".join(LINES)])[1].shape_text() == "status lines"


def test_a_zip_written_as_a_stream_with_a_data_descriptor_and_a_stored_one():
    streamed = base64.b64decode(result_text("document", "zip"))
    assert streamed[6] & 0x08  # the general purpose flag: sizes after the data
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("folder/", "")
        archive.writestr("folder/lines.txt", "\n".join(LINES))
    for raw in (streamed, stored.getvalue()):
        assert lines_of(chunked(base64.b64encode(raw).decode(), 3))[0] == EXPECTED


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("<html><body>Service unavailable</body></html>", "a <html> document, not <creditCheck>"),
        ("Service unavailable, try again later", "it starts with 'Service unavailable"),
        (base64.b64encode(b"%PDF-1.4 not what was asked for").decode(), "it starts with '%PDF-1.4"),
        (base64.b64encode(bytes(range(200, 250))).decode(), "neither a zip, gzip, zlib nor deflate"),
        (base64.b64encode(gzip.compress(b"%PDF-1.4")).decode(), "holds '%PDF-1.4' where"),
        (base64.b64encode(b"PK\x05\x06" + bytes(18)).decode(), "the zip holds no file"),
        ("<creditCheck><data>Service unavailable</data></creditCheck>", "<data> of the <creditCheck> document"),
        (
            f"<creditCheck><data>{base64.b64encode(zlib.compress(b'<creditCheck/>')).decode()}</data></creditCheck>",
            "holds a document where status lines were expected",
        ),
    ],
)
def test_anything_else_is_refused_saying_what_was_found(text, found):
    with pytest.raises(cc.CreditcheckError) as caught:
        lines_of(chunked(text, 11))
    assert found in caught.value.message, caught.value.message


def test_bom_crlf_and_blank_lines_with_physical_line_numbers():
    layout = {"line_end": "\r\n", "bom": True}
    lines = ["", "5861748;47116307;3", "", "", ";;", "23585;25865366;2", "x;1;2", "40001;00177041;2", ""]
    for shape in ("document", "lines", "data"):
        text = b"".join(compressed_result("GetCreditChecks", "t", lines, "zip", shape, **layout)).decode()
        found, report = lines_of(chunked(text, 13))
        assert found == EXPECTED, shape
        assert [(number, reason) for number, reason, _text in report.reject_samples] == [
            (5, "empty record ID, IČO or status"),
            (7, "non-numeric record ID or IČO"),
        ], shape
        assert report.lines_read == 5
    document = b"".join(escaped(document_chunks("GetCreditChecks", "t", lines, **layout)))
    answer = b"".join(soap_answer("GetCreditChecks", "http://creditcheck.cz/", [document]))
    report = cc.ParseReport()
    assert [tuple(line) for line in cc.iter_answer_lines(chunked(answer, 17), report)] == EXPECTED
    assert [number for number, _reason, _text in report.reject_samples] == [5, 7]


def test_the_declared_count_must_match():
    text = b"".join(document_chunks("GetCreditChecks", "t", LINES, count_offset=1)).decode()
    with pytest.raises(cc.CreditcheckError) as caught:
        lines_of([text])
    assert caught.value.code == "count"
    assert "declares 4 lines (<count>) but holds 3" in caught.value.message
    packed = result_text("document", "zip", count_offset=-1)
    with pytest.raises(cc.CreditcheckError, match="declares 2 lines"):
        lines_of([packed])


def test_lines_come_out_while_the_data_still_arrives():
    """A CDATA section, compressed or not, is handed on line by line, not at its end."""
    many = [f"{5000000 + n};47116307;3" for n in range(20000)]
    document = b"".join(escaped(document_chunks("GetCreditChecks", "t", many)))
    answer = b"".join(soap_answer("GetCreditChecks", "http://creditcheck.cz/", [document]))
    packed = b"".join(
        soap_answer(
            "GetCreditChecksCompressed",
            "http://creditcheck.cz/",
            compressed_result("GetCreditChecks", "t", many, "zip", "document"),
        )
    )
    for data in (answer, packed):
        chunks = chunked(data, 4096)
        fed = 0

        def feed(chunks=chunks):
            nonlocal fed
            for chunk in chunks:
                fed += 1
                yield chunk

        lines = cc.iter_answer_lines(feed(), cc.ParseReport())
        next(lines)
        assert fed < len(chunks) / 2, (fed, len(chunks))
        assert sum(1 for _ in lines) == len(many) - 1


@pytest.mark.parametrize("how", ["zip-seekable", "zip", "gzip", "zlib", "deflate"])
def test_a_stream_that_ends_on_a_chunk_boundary_is_read_to_its_end(how):
    """The inflated content ends exactly where an output chunk would: the rest is still read."""
    line = b"5861748;47116307;3\n"
    body = (line * (4 * 65536 // len(line) + 1))[: 4 * 65536]  # the last line cut short: one reject
    if how == "zip-seekable":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("lines.txt", body)
        packed = buffer.getvalue()
    else:
        packed = b"".join(compress_chunks([body], how, "lines.txt"))

    def hung(signum, frame):
        raise TimeoutError("the parser does not finish")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        found, report = lines_of([base64.b64encode(packed).decode()])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert (len(found), report.rejected) == (body.count(b"\n"), 1)
