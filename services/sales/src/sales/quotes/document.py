"""The rendered quote document (HTML, print-ready): what the customer receives."""

from __future__ import annotations

from typing import Any

from flask import render_template_string

from sales.quotes.models import Quote

# render_template_string autoescapes every value, so titles and notes cannot inject markup.
TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Quote {{ q.number }} rev {{ q.revision }}</title>
<style>
 body { font-family: sans-serif; margin: 2em; color: #222; }
 table { border-collapse: collapse; width: 100%; }
 th, td { border-bottom: 1px solid #ccc; padding: 4px 8px; text-align: left; }
 td.n, th.n { text-align: right; }
 .totals td { border: none; }
 .status { color: #666; }
</style>
</head>
<body>
<h1>Quote {{ q.number }} <small>revision {{ q.revision }}</small></h1>
<p class="status">Status: {{ q.status }} &middot; valid until {{ q.valid_until.isoformat() }}
 &middot; currency {{ q.currency }}</p>
<h2>{{ q.title }}</h2>
{% if account %}<p>For: <strong>{{ account }}</strong></p>{% endif %}
<table>
<thead><tr><th>#</th><th>SKU</th><th>Item</th><th class="n">Quantity</th><th>Unit</th>
<th class="n">Unit price</th><th class="n">Discount %</th><th class="n">Net</th><th class="n">Tax %</th>
<th class="n">Tax</th><th class="n">Total</th></tr></thead>
<tbody>
{% for line in q.lines %}<tr><td>{{ line.line_no }}</td><td>{{ line.sku }}</td>
<td>{{ line.name }}{% if line.description %}<br><small>{{ line.description }}</small>{% endif %}</td>
<td class="n">{{ text(line.quantity) }}</td><td>{{ line.unit }}</td><td class="n">{{ line.unit_price }}</td>
<td class="n">{{ text(line.effective_discount_percent) }}</td><td class="n">{{ line.net_amount }}</td>
<td class="n">{{ text(line.tax_rate) }}</td><td class="n">{{ line.tax_amount }}</td>
<td class="n">{{ line.total }}</td></tr>
{% endfor %}</tbody>
</table>
<table class="totals">
<tr><td>Subtotal</td><td class="n">{{ q.subtotal }} {{ q.currency }}</td></tr>
<tr><td>Discount</td><td class="n">-{{ q.discount_total }} {{ q.currency }}</td></tr>
<tr><td>Net</td><td class="n">{{ q.net_total }} {{ q.currency }}</td></tr>
<tr><td>Tax</td><td class="n">{{ q.tax_total }} {{ q.currency }}</td></tr>
<tr><td><strong>Total</strong></td><td class="n"><strong>{{ q.total }} {{ q.currency }}</strong></td></tr>
</table>
{% if q.notes %}<h3>Notes</h3><p>{{ q.notes }}</p>{% endif %}
<p><small>Amounts are rounded to cents per line (half up); totals are the sums of the lines.</small></p>
</body>
</html>
"""


def render_quote(quote: Quote, account_name: str | None) -> str:
    """The quote as an HTML page."""
    return render_template_string(
        TEMPLATE, q=quote, account=account_name, text=lambda value: format(value.normalize(), "f")
    )


# --- PDF: a plain, dependency-free rendering (Courier text, A4, as many pages as needed) -----------------

PAGE_WIDTH, PAGE_HEIGHT, MARGIN, LEADING, LINES_PER_PAGE = 595, 842, 50, 14, 52


def quote_text_lines(quote: Quote, account_name: str | None) -> list[str]:
    """The quote as lines of text: header, one line per item, totals."""

    def text(value: Any) -> str:
        return format(value.normalize(), "f")

    header = [
        f"Quote {quote.number}  revision {quote.revision}",
        f"{quote.title}",
        f"For: {account_name}" if account_name else "",
        f"Status: {quote.status}   valid until {quote.valid_until.isoformat()}   currency {quote.currency}",
        "",
        "#   SKU            Item                          Qty        Unit price   Disc %   Net          Tax",
    ]
    items = [
        f"{line.line_no:<3} {line.sku[:14]:<14} {line.name[:29]:<29} {text(line.quantity):>9} {line.unit_price:>12}"
        f" {text(line.effective_discount_percent):>7} {line.net_amount:>12} {line.tax_amount:>10}"
        for line in quote.lines
    ]
    totals = [
        "",
        f"Subtotal {quote.subtotal} {quote.currency}",
        f"Discount -{quote.discount_total} {quote.currency}",
        f"Net      {quote.net_total} {quote.currency}",
        f"Tax      {quote.tax_total} {quote.currency}",
        f"Total    {quote.total} {quote.currency}",
        "",
        "Amounts are rounded to cents per line (half up); totals are the sums of the lines.",
    ]
    return [*header, *items, *totals]


def _pdf_text(value: str) -> str:
    latin = value.encode("latin-1", "replace").decode("latin-1")
    return latin.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_stream(lines: list[str]) -> bytes:
    commands = [f"BT /F1 9 Tf {LEADING} TL {MARGIN} {PAGE_HEIGHT - MARGIN} Td"]
    commands += [f"({_pdf_text(line)}) Tj T*" for line in lines]
    commands.append("ET")
    return "\n".join(commands).encode("latin-1")


def render_pdf(lines: list[str]) -> bytes:
    """A minimal PDF 1.4 document showing the lines in Courier, LINES_PER_PAGE lines a page."""
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    first_page = 4
    kids = " ".join(f"{first_page + 2 * index} 0 R" for index in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
    ]
    for index, page in enumerate(pages):
        stream = _page_stream(page)
        content = first_page + 2 * index + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _assemble(objects)


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def render_quote_pdf(quote: Quote, account_name: str | None) -> bytes:
    """The quote as a PDF document."""
    return render_pdf(quote_text_lines(quote, account_name))
