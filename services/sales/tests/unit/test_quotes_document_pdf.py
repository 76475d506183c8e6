"""The dependency-free PDF rendering: pages, cross-reference table, escaping."""

from __future__ import annotations

import re

from sales.quotes.document import LINES_PER_PAGE, render_pdf


def test_long_documents_get_several_pages_and_a_correct_xref() -> None:
    pdf = render_pdf([f"line {n}" for n in range(2 * LINES_PER_PAGE + 1)])
    assert b"/Count 3" in pdf
    xref_at = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    entries = re.findall(rb"(\d{10}) 00000 n ", pdf[xref_at:])
    for number, offset in enumerate(entries, start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)


def test_text_is_escaped_and_latin_1() -> None:
    pdf = render_pdf(["a (b) \\ c", "Zoë 💶"])
    assert b"(a \\(b\\) \\\\ c) Tj" in pdf
    assert b"(Zo\xeb ?) Tj" in pdf


def test_an_empty_document_still_has_a_page() -> None:
    assert b"/Count 1" in render_pdf([])
