"""A small, neutral document model for the reports, rendered to DOCX (python-docx) and PDF (fpdf2).

Reports describe *what* they say — headings, paragraphs, tables, images, the national-motto header
block and the signature block of a Vietnamese administrative document — and the two writers decide
*how* it looks. Both follow the presentation agencies use for administrative documents (Nghị định
30/2020/NĐ-CP): A4, Times New Roman 13–14 pt, margins 20 mm top and bottom, 30 mm left, 15 mm right;
the header block is a borderless two-column table (issuing agency and number on the left, the
national motto and the place and date on the right); the signature block puts the recipients ("Nơi
nhận") on the left and the signer on the right.

The fixed wording of the header and signature blocks is Vietnamese on purpose: it is prescribed by
law, and the document is filed in Vietnamese whatever the language of the screen it came from.

The PDF uses DejaVu Serif, shipped with matplotlib (``mpl-data/fonts/ttf``), because Times New
Roman is not free to embed and PDF's standard fonts have no Vietnamese letters.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.table import Table as DocxTable
    from docx.table import _Cell
    from fpdf import FPDF

# --- the model ---------------------------------------------------------------------------------------


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    JUSTIFY = "justify"


@dataclass
class Heading:
    """A section heading: level 1 is "I. …" (bold capitals as written), level 2 "1. …" (bold), 3 italic."""

    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    align: Align = Align.JUSTIFY
    indent: bool = True  # first-line indent, as body text in administrative documents has
    size: float | None = None  # points; None is the body size


@dataclass
class Table:
    """A bordered table; ``header`` is bold and repeated on each page. ``widths`` are relative."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None
    # Columns aligned right (numbers), by index.
    numeric: set[int] = field(default_factory=set)
    caption: str = ""


@dataclass
class Image:
    """A PNG or JPEG image (a chart), ``width_cm`` wide, centred, with an optional caption."""

    data: bytes
    width_cm: float = 15.0
    caption: str = ""


@dataclass
class MottoHeader:
    """The header block: issuing agency (under its parent) and number; the motto and place, date.

    ``day`` None leaves the date for the signer to fill ("ngày … tháng … năm …").
    """

    agency: str
    parent_agency: str = ""
    number: str = ""
    place: str = ""
    day: dt.date | None = None


@dataclass
class Title:
    """The document's title: its kind ("BÁO CÁO") in bold capitals, then the subject lines in bold."""

    kind: str
    subject: list[str] = field(default_factory=list)
    addressed_to: str = ""  # "Kính gửi: …"


@dataclass
class Signature:
    """The signature block: recipients on the left, the signer on the right."""

    recipients: list[str] = field(default_factory=lambda: ["Như trên"])
    archive: str = "Lưu: VT."
    title: str = ""  # e.g. "TRƯỞNG BAN" or "ĐẠI DIỆN ĐƠN VỊ BÁO CÁO"
    signer_note: str = "(Ký, ghi rõ họ tên, đóng dấu)"
    name: str = ""


Block = Heading | Paragraph | Table | Image | MottoHeader | Title | Signature


@dataclass
class Document:
    title: str  # the file's metadata title
    blocks: list[Block] = field(default_factory=list)
    author: str = ""

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self


# --- shared wording ------------------------------------------------------------------------------------

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BODY_PT = 13.0
HEADER_PT = 12.0
SMALL_PT = 11.0


def number_line(number: str) -> str:
    return f"Số: {number}" if number else "Số: ……/……"


def place_date_line(place: str, day: dt.date | None) -> str:
    """The place and date line, "Nghệ An, ngày 10 tháng 12 năm 2025": days and months below 10 written with a leading zero
    only for 1 and 2 (Nghị định 30/2020: "ngày 01", "tháng 01", "tháng 02")."""
    where = place or "……"
    if day is None:
        return f"{where}, ngày … tháng … năm …"
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{where}, ngày {day_text} tháng {month_text} năm {day.year}"


def _recipient_lines(signature: Signature) -> list[str]:
    lines = [f"- {item};" for item in signature.recipients if item]
    if signature.archive:
        lines.append(f"- {signature.archive}")
    return lines


# --- DOCX ------------------------------------------------------------------------------------------------


def render_docx(document: Document) -> bytes:
    """The document as a .docx file (the format agencies file)."""
    from docx import Document as new_docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    text_width = Cm(21 - 3 - 1.5)

    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(BODY_PT)
    # Word reads the font per script from rFonts; set them all, or Vietnamese may fall back to Calibri.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), "Times New Roman")
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15

    props = doc.core_properties
    props.title = document.title
    props.author = document.author
    props.language = "vi-VN"

    for block in document.blocks:
        if isinstance(block, MottoHeader):
            _docx_motto(doc, block, text_width)
        elif isinstance(block, Title):
            _docx_title(doc, block)
        elif isinstance(block, Heading):
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.space_before = Pt(6)
            paragraph.paragraph_format.keep_with_next = True
            paragraph.paragraph_format.first_line_indent = Cm(1)
            run = paragraph.add_run(block.text)
            run.bold = block.level <= 2
            run.italic = block.level >= 3
        elif isinstance(block, Paragraph):
            _docx_paragraph(doc, block)
        elif isinstance(block, Table):
            _docx_table(doc, block, text_width)
        elif isinstance(block, Image):
            paragraph = doc.add_paragraph()
            paragraph.alignment = _docx_align(Align.CENTER)
            paragraph.add_run().add_picture(io.BytesIO(block.data), width=Cm(min(block.width_cm, 16.5)))
            if block.caption:
                _docx_paragraph(
                    doc, Paragraph(block.caption, italic=True, align=Align.CENTER, indent=False, size=SMALL_PT)
                )
        elif isinstance(block, Signature):
            _docx_signature(doc, block, text_width)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_align(align: Align) -> WD_PARAGRAPH_ALIGNMENT:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return {
        Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
        Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
        Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
        Align.JUSTIFY: WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]


def _docx_paragraph(doc: DocxDocument, block: Paragraph) -> None:
    from docx.shared import Cm, Pt

    for text in block.text.split("\n\n") if block.text else [""]:
        paragraph = doc.add_paragraph()
        paragraph.alignment = _docx_align(block.align)
        if block.indent:
            paragraph.paragraph_format.first_line_indent = Cm(1)
        lines = text.split("\n")
        for index, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.bold = block.bold
            run.italic = block.italic
            if block.size:
                run.font.size = Pt(block.size)
            if index < len(lines) - 1:
                run.add_break()


def _docx_cell_lines(cell: _Cell, lines: list[tuple[str, float, bool, bool]], align: Align) -> None:
    """Fill a table cell with lines of (text, size, bold, italic), one paragraph each."""
    from docx.shared import Pt

    first = True
    for text, size, bold, italic in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = _docx_align(align)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.first_line_indent = None
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        run.italic = italic


def _docx_borderless(table: DocxTable) -> None:
    """No borders at all: the header and signature blocks are laid out in a table nobody should see."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _docx_widths(table: DocxTable, widths: list[int]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _docx_motto(doc: DocxDocument, block: MottoHeader, text_width: int) -> None:
    table = doc.add_table(rows=2, cols=2)
    _docx_borderless(table)
    left = int(text_width * 0.42)
    _docx_widths(table, [left, text_width - left])
    agency_lines: list[tuple[str, float, bool, bool]] = []
    if block.parent_agency:
        agency_lines.append((block.parent_agency.upper(), HEADER_PT, False, False))
    agency_lines += [(block.agency.upper(), HEADER_PT, True, False), ("-------", HEADER_PT, False, False)]
    _docx_cell_lines(table.cell(0, 0), agency_lines, Align.CENTER)
    _docx_cell_lines(
        table.cell(0, 1),
        [(NATION, HEADER_PT, True, False), (MOTTO, BODY_PT, True, False), ("---------------", HEADER_PT, False, False)],
        Align.CENTER,
    )
    _docx_cell_lines(table.cell(1, 0), [(number_line(block.number), BODY_PT, False, False)], Align.CENTER)
    _docx_cell_lines(table.cell(1, 1), [(place_date_line(block.place, block.day), BODY_PT, False, True)], Align.CENTER)


def _docx_title(doc: DocxDocument, block: Title) -> None:
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    paragraph.alignment = _docx_align(Align.CENTER)
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(block.kind.upper())
    run.bold = True
    run.font.size = Pt(14)
    for line in block.subject:
        paragraph = doc.add_paragraph()
        paragraph.alignment = _docx_align(Align.CENTER)
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(line)
        run.bold = True
        run.font.size = Pt(14)
    if block.addressed_to:
        paragraph = doc.add_paragraph()
        paragraph.alignment = _docx_align(Align.CENTER)
        paragraph.paragraph_format.space_before = Pt(12)
        paragraph.paragraph_format.space_after = Pt(12)
        paragraph.add_run(f"Kính gửi: {block.addressed_to}")


def _docx_table(doc: DocxDocument, block: Table, text_width: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    columns = len(block.header)
    table = doc.add_table(rows=1, cols=columns)
    table.style = "Table Grid"
    weights = block.widths or [1.0] * columns
    total = sum(weights)
    _docx_widths(table, [int(text_width * weight / total) for weight in weights])
    for index, text in enumerate(block.header):
        _docx_cell_lines(table.rows[0].cells[index], [(text, 12, True, False)], Align.CENTER)
    # Repeat the header row on every page the table runs over.
    header_properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_properties.append(repeat)
    for row in block.rows:
        cells = table.add_row().cells
        for index in range(columns):
            text = row[index] if index < len(row) else ""
            align = Align.RIGHT if index in block.numeric else Align.LEFT
            _docx_cell_lines(cells[index], [(text, 12, False, False)], align)
    _docx_widths(table, [int(text_width * weight / total) for weight in weights])
    if block.caption:
        _docx_paragraph(doc, Paragraph(block.caption, italic=True, align=Align.CENTER, indent=False, size=SMALL_PT))
    else:
        spacer = doc.add_paragraph()
        spacer.paragraph_format.space_after = Pt(0)


def _docx_signature(doc: DocxDocument, block: Signature, text_width: int) -> None:
    table = doc.add_table(rows=1, cols=2)
    _docx_borderless(table)
    left = int(text_width * 0.45)
    _docx_widths(table, [left, text_width - left])
    recipients: list[tuple[str, float, bool, bool]] = [("Nơi nhận:", HEADER_PT, True, True)]
    recipients += [(line, SMALL_PT, False, False) for line in _recipient_lines(block)]
    _docx_cell_lines(table.cell(0, 0), recipients, Align.LEFT)
    signer: list[tuple[str, float, bool, bool]] = [(block.title.upper(), BODY_PT, True, False)]
    if block.signer_note:
        signer.append((block.signer_note, BODY_PT, False, True))
    signer += [("", BODY_PT, False, False)] * 3
    signer.append((block.name, BODY_PT, True, False))
    _docx_cell_lines(table.cell(0, 1), signer, Align.CENTER)


# --- PDF ---------------------------------------------------------------------------------------------------


def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


_FONT = "DejaVuSerif"
_PT_TO_MM = 0.3528


def render_pdf(document: Document) -> bytes:
    """The document as a PDF (A4, DejaVu Serif so that every Vietnamese letter shows)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(left=30, top=20, right=15)
    pdf.set_auto_page_break(auto=True, margin=20)
    directory = font_dir()
    for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Italic"), ("BI", "-BoldItalic")):
        pdf.add_font(_FONT, style, str(directory / f"DejaVuSerif{suffix}.ttf"))
    pdf.set_title(document.title)
    pdf.set_author(document.author)
    pdf.set_lang("vi-VN")
    pdf.set_creator("Cổng Thông tin điện tử")
    pdf.add_page()
    # DejaVu is wider than Times New Roman: one point less keeps the same amount of text per line.
    body = BODY_PT - 1
    pdf.set_font(_FONT, size=body)

    for block in document.blocks:
        if isinstance(block, MottoHeader):
            _pdf_motto(pdf, block)
        elif isinstance(block, Title):
            _pdf_title(pdf, block)
        elif isinstance(block, Heading):
            pdf.ln(1.5)
            pdf.set_font(_FONT, "B" if block.level <= 2 else "I", body)
            pdf.set_x(pdf.l_margin + 10)
            pdf.multi_cell(
                w=pdf.epw - 10, h=body * _PT_TO_MM * 1.4, text=block.text, align="L", new_x="LMARGIN", new_y="NEXT"
            )
            pdf.set_font(_FONT, "", body)
        elif isinstance(block, Paragraph):
            _pdf_paragraph(pdf, block, body)
        elif isinstance(block, Table):
            _pdf_table(pdf, block)
        elif isinstance(block, Image):
            width = min(block.width_cm * 10, pdf.epw)
            pdf.image(io.BytesIO(block.data), x=pdf.l_margin + (pdf.epw - width) / 2, w=width)
            if block.caption:
                _pdf_paragraph(
                    pdf,
                    Paragraph(block.caption, italic=True, align=Align.CENTER, indent=False, size=SMALL_PT - 1),
                    body,
                )
        elif isinstance(block, Signature):
            _pdf_signature(pdf, block)
    return bytes(pdf.output())


def _pdf_align(align: Align) -> str:
    return {Align.LEFT: "L", Align.CENTER: "C", Align.RIGHT: "R", Align.JUSTIFY: "J"}[align]


def _pdf_paragraph(pdf: FPDF, block: Paragraph, body: float) -> None:
    size = (block.size - 1) if block.size else body
    style = ("B" if block.bold else "") + ("I" if block.italic else "")
    pdf.set_font(_FONT, style, size)
    for text in block.text.split("\n\n") if block.text else [""]:
        # fpdf2 has no first-line indent: a few non-breaking spaces give the same look.
        lead = "\u00a0" * 6 if block.indent else ""
        pdf.multi_cell(
            w=0,
            h=size * _PT_TO_MM * 1.45,
            text=lead + text,
            align=_pdf_align(block.align),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(1.2)
    pdf.set_font(_FONT, "", body)


def _pdf_column(pdf: FPDF, x: float, y: float, width: float, lines: list[tuple[str, float, str]], align: str) -> float:
    """Write lines of (text, size, style) in a column starting at (x, y); return the y below them."""
    pdf.set_xy(x, y)
    for text, size, style in lines:
        pdf.set_font(_FONT, style, size)
        pdf.set_x(x)
        pdf.multi_cell(w=width, h=size * _PT_TO_MM * 1.35, text=text, align=align, new_x="LEFT", new_y="NEXT")
    return float(pdf.get_y())


def _pdf_motto(pdf: FPDF, block: MottoHeader) -> None:
    left_w = pdf.epw * 0.42
    right_w = pdf.epw - left_w
    x0, y0 = pdf.l_margin, pdf.get_y()
    head, body = HEADER_PT - 1.5, BODY_PT - 1.5
    agency: list[tuple[str, float, str]] = []
    if block.parent_agency:
        agency.append((block.parent_agency.upper(), head, ""))
    agency += [(block.agency.upper(), head, "B"), ("-------", head, "")]
    bottom_left = _pdf_column(pdf, x0, y0, left_w, agency, "C")
    bottom_right = _pdf_column(
        pdf, x0 + left_w, y0, right_w, [(NATION, head, "B"), (MOTTO, body, "B"), ("---------------", head, "")], "C"
    )
    y1 = max(bottom_left, bottom_right) + 1
    bottom_left = _pdf_column(pdf, x0, y1, left_w, [(number_line(block.number), body, "")], "C")
    bottom_right = _pdf_column(
        pdf, x0 + left_w, y1, right_w, [(place_date_line(block.place, block.day), body, "I")], "C"
    )
    pdf.set_xy(x0, max(bottom_left, bottom_right) + 4)
    pdf.set_font(_FONT, "", BODY_PT - 1)


def _pdf_title(pdf: FPDF, block: Title) -> None:
    size = 13.0
    lines: list[tuple[str, float, str]] = [(block.kind.upper(), size, "B")]
    lines += [(line, size, "B") for line in block.subject]
    y = _pdf_column(pdf, pdf.l_margin, pdf.get_y() + 2, pdf.epw, lines, "C")
    if block.addressed_to:
        y = _pdf_column(pdf, pdf.l_margin, y + 4, pdf.epw, [(f"Kính gửi: {block.addressed_to}", BODY_PT - 1, "")], "C")
    pdf.set_xy(pdf.l_margin, y + 4)
    pdf.set_font(_FONT, "", BODY_PT - 1)


def _pdf_table(pdf: FPDF, block: Table) -> None:
    from fpdf.fonts import FontFace

    columns = len(block.header)
    weights = block.widths or [1.0] * columns
    pdf.set_font(_FONT, "", SMALL_PT - 0.5)
    aligns = tuple("RIGHT" if index in block.numeric else "LEFT" for index in range(columns))
    with pdf.table(
        col_widths=tuple(weights),
        width=pdf.epw,
        headings_style=FontFace(emphasis="BOLD"),
        text_align=aligns,
        line_height=(SMALL_PT - 0.5) * _PT_TO_MM * 1.5,
        padding=1,
        repeat_headings=1,
    ) as table:
        header = table.row()
        for text in block.header:
            header.cell(text, align="CENTER")
        for values in block.rows:
            row = table.row()
            for index in range(columns):
                row.cell(values[index] if index < len(values) else "")
    pdf.ln(2)
    if block.caption:
        _pdf_paragraph(
            pdf, Paragraph(block.caption, italic=True, align=Align.CENTER, indent=False, size=SMALL_PT - 1), BODY_PT - 1
        )
    pdf.set_font(_FONT, "", BODY_PT - 1)


def _pdf_signature(pdf: FPDF, block: Signature) -> None:
    pdf.ln(4)
    # Keep the block on one page: the name must never be separated from the title.
    if pdf.get_y() > pdf.h - pdf.b_margin - 55:
        pdf.add_page()
    left_w = pdf.epw * 0.45
    x0, y0 = pdf.l_margin, pdf.get_y()
    recipients: list[tuple[str, float, str]] = [("Nơi nhận:", HEADER_PT - 1, "BI")]
    recipients += [(line, SMALL_PT - 1, "") for line in _recipient_lines(block)]
    bottom_left = _pdf_column(pdf, x0, y0, left_w, recipients, "L")
    signer: list[tuple[str, float, str]] = [(block.title.upper(), BODY_PT - 1, "B")]
    if block.signer_note:
        signer.append((block.signer_note, BODY_PT - 1, "I"))
    signer += [(" ", BODY_PT - 1, "")] * 4
    signer.append((block.name or " ", BODY_PT - 1, "B"))
    bottom_right = _pdf_column(pdf, x0 + left_w, y0, pdf.epw - left_w, signer, "C")
    pdf.set_xy(x0, max(bottom_left, bottom_right) + 2)
