"""The document writers' layout: where things land on the page, not only that the words are there."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from portal_platform.reports import documents as doc

MM = 72 / 25.4  # PDF points per millimetre
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _sample() -> doc.Document:
    rows = [
        [str(index), f"Chuyên mục số {index} về đất đai, tài nguyên nước", str(index * 7)] for index in range(1, 60)
    ]
    return doc.Document(title="Thử", author="Sở Tài nguyên").add(
        doc.MottoHeader(
            agency="Sở Tài nguyên và Môi trường",
            parent_agency="UBND tỉnh Nghệ An",
            number="1/BC",
            place="Nghệ An",
            day=dt.date(2025, 2, 5),
        ),
        doc.Title(kind="Báo cáo", subject=["Tình hình hoạt động năm 2025"], addressed_to="Sở Thông tin"),
        doc.Heading("I. CÔNG TÁC CHỈ ĐẠO, QUẢN LÝ"),
        doc.Paragraph("Ban Biên tập đã ban hành quy chế hoạt động. " * 20),
        doc.Table(
            header=["STT", "Chuyên mục", "Số tin, bài"],
            rows=rows,
            widths=[1, 8, 2.5],
            numeric={2},
            centered={0},
            caption="Bảng 1. Theo chuyên mục",
        ),
        doc.Signature(title="Giám đốc", name="Nguyễn Văn Ánh"),
    )


def test_place_and_date_line_follows_the_decree() -> None:
    assert doc.place_date_line("Nghệ An", dt.date(2025, 2, 5)) == "Nghệ An, ngày 05 tháng 02 năm 2025"
    assert doc.place_date_line("Nghệ An", dt.date(2025, 12, 15)) == "Nghệ An, ngày 15 tháng 12 năm 2025"
    assert doc.place_date_line("", None) == "……, ngày … tháng … năm …"


def test_docx_tables_fill_the_text_width_in_the_grid_too_and_pages_are_numbered() -> None:
    document = docx.Document(io.BytesIO(doc.render_docx(_sample())))
    section = document.sections[0]
    assert section.page_width and section.left_margin and section.right_margin
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        grid = [int(column.get(f"{W}w")) * 635 for column in table._tbl.tblGrid.findall(f"{W}gridCol")]
        # LibreOffice lays a table out from its grid; Word from the cells: both must agree.
        assert grid == [cell.width for cell in table.rows[0].cells]
        assert abs(sum(grid) - text_width) < 0.01 * text_width
    data = document.tables[1]
    assert data.rows[1].cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER  # STT
    assert data.rows[1].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT  # the figure
    assert data.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert "w:cantSplit" in document.tables[-1]._tbl.xml  # the signer never apart from the title
    # The page number at the top from the second page on.
    assert section.different_first_page_header_footer
    assert 'w:instr="PAGE"' in section.header._element.xml
    assert 'w:instr="PAGE"' not in section.first_page_header._element.xml


def _words(pdf: bytes, tmp_path: Path) -> list[tuple[int, float, float, str]]:
    """(page, x, y, word) of every word, from poppler's pdftotext, in PDF points from the top left."""
    source = tmp_path / "sample.pdf"
    source.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(source), "-"], check=True, capture_output=True, text=True).stdout
    words: list[tuple[int, float, float, str]] = []
    for page_number, page in enumerate(html.split("<page ")[1:], start=1):
        for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page):
            words.append((page_number, float(x), float(y), word))
    return words


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_pdf_tables_sit_between_the_margins_and_pages_are_numbered(tmp_path: Path) -> None:
    words = _words(doc.render_pdf(_sample()), tmp_path)
    pages = max(page for page, *_ in words)
    assert pages >= 3  # the long table runs over pages
    # Nothing left of the 30 mm margin (fpdf2 centres tables on the page unless told otherwise).
    assert min(x for _, x, _, _ in words) >= 30 * MM - 1
    table_numbers = [x for page, x, _, word in words if page == 1 and word == "STT"]
    assert table_numbers and table_numbers[0] < 30 * MM + 1.43 / 16.5 * 165 * MM  # inside the first column
    # The table's header row is repeated on every page it runs over.
    with_rows = {page for page, _, _, word in words if word == "nước"}  # in the rows only
    assert len(with_rows) >= 2 and with_rows <= {page for page, _, _, word in words if word == "STT"}
    # Page numbers centred over the text at the top from page 2; none on page 1.
    for page in range(2, pages + 1):
        top = [(x, word) for p, x, y, word in words if p == page and y < 15 * MM]
        assert [word for _, word in top] == [str(page)]
        assert abs(top[0][0] - 112.5 * MM) < 5 * MM  # the middle of the text (30 to 195 mm)
    assert not [word for p, _, y, word in words if p == 1 and y < 15 * MM]
    # Vietnamese letters come out as text, not as missing glyphs.
    text = " ".join(word for *_, word in words)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Nguyễn Văn Ánh" in text
    assert "ngày 05 tháng 02 năm 2025" in text
    # The signature block is whole on the last page: the title with the name.
    last = [word for page, _, _, word in words if page == pages]
    assert "GIÁM" in last and "Ánh" in last
