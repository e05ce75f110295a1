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

from django.http import HttpResponse
from django.utils.http import content_disposition_header

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.section import Section
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
    # Columns centred (a row number, "STT"), by index; wins over ``numeric``.
    centered: set[int] = field(default_factory=set)
    caption: str = ""

    def align(self, index: int) -> Align:
        if index in self.centered:
            return Align.CENTER
        return Align.RIGHT if index in self.numeric else Align.LEFT


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
    """The place and date line, "Nghệ An, ngày 05 tháng 12 năm 2025": a leading zero for days below 10 and
    for the months 1 and 2 only (Nghị định 30/2020: "ngày 05", "tháng 01", "tháng 02", but "tháng 3")."""
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

    _docx_page_numbers(section)

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


def _docx_page_numbers(section: Section) -> None:
    """The page number centred at the top of every page but the first (Nghị định 30/2020)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = _docx_align(Align.CENTER)
    field_element = OxmlElement("w:fldSimple")
    field_element.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(int(Pt(SMALL_PT).pt * 2)))
    properties.append(size)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field_element.append(run)
    paragraph._p.append(field_element)


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


def _docx_cant_split(table: DocxTable) -> None:
    """No row broken across two pages (a figure apart from its label; the signer apart from the title)."""
    from docx.oxml import OxmlElement

    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _docx_widths(table: DocxTable, widths: list[int]) -> None:
    """Column widths in the cells (Word) and in the table's grid (LibreOffice and others read only that)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
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
            _docx_cell_lines(cells[index], [(text, 12, False, False)], block.align(index))
    _docx_widths(table, [int(text_width * weight / total) for weight in weights])
    _docx_cant_split(table)
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
    _docx_cant_split(table)


# --- PDF ---------------------------------------------------------------------------------------------------


def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


_FONT = "DejaVuSerif"
_PT_TO_MM = 0.3528
_INDENT_MM = 10.0  # first-line indent of body text and the indent of headings
# DejaVu is wider than Times New Roman: one point less keeps the same amount of text per line.
_BODY = BODY_PT - 1


def _line_mm(size: float, factor: float = 1.45) -> float:
    return size * _PT_TO_MM * factor


def _new_pdf() -> FPDF:
    from fpdf import FPDF

    class ReportPDF(FPDF):
        def header(self) -> None:
            # The page number centred at the top of every page but the first (Nghị định 30/2020).
            if self.page_no() > 1:
                self.set_font(_FONT, "", SMALL_PT)
                self.set_y(10)
                self.cell(w=0, h=5, text=str(self.page_no()), align="C")
                self.set_y(self.t_margin)
                self.set_font(_FONT, "", _BODY)

    return ReportPDF(orientation="portrait", unit="mm", format="A4")


def render_pdf(document: Document) -> bytes:
    """The document as a PDF (A4, DejaVu Serif so that every Vietnamese letter shows)."""
    pdf = _new_pdf()
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
    pdf.set_font(_FONT, size=_BODY)

    for block in document.blocks:
        if isinstance(block, MottoHeader):
            _pdf_motto(pdf, block)
        elif isinstance(block, Title):
            _pdf_title(pdf, block)
        elif isinstance(block, Heading):
            _pdf_heading(pdf, block)
        elif isinstance(block, Paragraph):
            _pdf_paragraph(pdf, block)
        elif isinstance(block, Table):
            _pdf_table(pdf, block)
        elif isinstance(block, Image):
            width = min(block.width_cm * 10, pdf.epw)
            pdf.image(io.BytesIO(block.data), x=pdf.l_margin + (pdf.epw - width) / 2, w=width)
            if block.caption:
                _pdf_caption(pdf, block.caption)
        elif isinstance(block, Signature):
            _pdf_signature(pdf, block)
    return bytes(pdf.output())


def _room(pdf: FPDF) -> float:
    """The height left on the current page above the bottom margin."""
    return float(pdf.h - pdf.b_margin - pdf.get_y())


def _keep(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` fits on this one (Word's "keep with next")."""
    if _room(pdf) < height:
        pdf.add_page()


def _pdf_align(align: Align) -> str:
    return {Align.LEFT: "L", Align.CENTER: "C", Align.RIGHT: "R", Align.JUSTIFY: "J"}[align]


def _pdf_heading(pdf: FPDF, block: Heading) -> None:
    # A heading never ends a page: it keeps its own lines and three of the text after it.
    _keep(pdf, 1.5 + 5 * _line_mm(_BODY))
    pdf.ln(1.5)
    pdf.set_font(_FONT, "B" if block.level <= 2 else "I", _BODY)
    pdf.set_x(pdf.l_margin + _INDENT_MM)
    pdf.multi_cell(
        w=pdf.epw - _INDENT_MM, h=_line_mm(_BODY, 1.4), text=block.text, align="L", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(_FONT, "", _BODY)


def _indent(pdf: FPDF) -> str:
    # fpdf2's multi_cell has no first-line indent: non-breaking spaces as wide as the headings' indent.
    return "\u00a0" * max(1, round(_INDENT_MM / pdf.get_string_width("\u00a0")))


def _pdf_paragraph(pdf: FPDF, block: Paragraph) -> None:
    size = (block.size - 1) if block.size else _BODY
    style = ("B" if block.bold else "") + ("I" if block.italic else "")
    pdf.set_font(_FONT, style, size)
    for text in block.text.split("\n\n") if block.text else [""]:
        lead = _indent(pdf) if block.indent else ""
        pdf.multi_cell(
            w=0,
            h=_line_mm(size),
            text=lead + text,
            align=_pdf_align(block.align),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(1.2)
    pdf.set_font(_FONT, "", _BODY)


def _pdf_caption(pdf: FPDF, text: str) -> None:
    _pdf_paragraph(pdf, Paragraph(text, italic=True, align=Align.CENTER, indent=False, size=SMALL_PT - 1))
    pdf.ln(1.5)


def _pdf_column(pdf: FPDF, x: float, y: float, width: float, lines: list[tuple[str, float, str]], align: str) -> float:
    """Write lines of (text, size, style) in a column starting at (x, y); return the y below them."""
    pdf.set_xy(x, y)
    for text, size, style in lines:
        pdf.set_font(_FONT, style, size)
        pdf.set_x(x)
        pdf.multi_cell(w=width, h=_line_mm(size, 1.35), text=text, align=align, new_x="LEFT", new_y="NEXT")
    return float(pdf.get_y())


def _rule(pdf: FPDF, centre: float, y: float, length: float) -> float:
    """A thin solid line centred on ``centre`` (the rules under the agency's name and the motto)."""
    pdf.set_line_width(0.3)
    pdf.line(centre - length / 2, y, centre + length / 2, y)
    return y + 1.5


def _pdf_motto(pdf: FPDF, block: MottoHeader) -> None:
    """Two columns, each centred: the agency over a short rule, the nation and motto over a rule as long
    as the motto (Nghị định 30/2020, Phụ lục I); the number and the place and date on one line below."""
    left_w = pdf.epw * 0.42
    right_w = pdf.epw - left_w
    x0, y0 = pdf.l_margin, pdf.get_y()
    head, body = HEADER_PT - 1.5, BODY_PT - 1.5
    agency: list[tuple[str, float, str]] = []
    if block.parent_agency:
        agency.append((block.parent_agency.upper(), head, ""))
    agency.append((block.agency.upper(), head, "B"))
    bottom_left = _pdf_column(pdf, x0, y0, left_w, agency, "C")
    bottom_right = _pdf_column(pdf, x0 + left_w, y0, right_w, [(NATION, head, "B"), (MOTTO, body, "B")], "C")
    pdf.set_font(_FONT, "B", head)
    # The agency's rule: a third of its name's last line, at most a third of the column.
    agency_rule = min(left_w / 3, max(15.0, pdf.get_string_width(block.agency.upper()) / 3))
    bottom_left = _rule(pdf, x0 + left_w / 2, bottom_left + 1.2, agency_rule)
    pdf.set_font(_FONT, "B", body)
    bottom_right = _rule(pdf, x0 + left_w + right_w / 2, bottom_right + 1.2, pdf.get_string_width(MOTTO))
    y1 = max(bottom_left, bottom_right) + 2
    bottom_left = _pdf_column(pdf, x0, y1, left_w, [(number_line(block.number), body, "")], "C")
    bottom_right = _pdf_column(
        pdf, x0 + left_w, y1, right_w, [(place_date_line(block.place, block.day), body, "I")], "C"
    )
    pdf.set_xy(x0, max(bottom_left, bottom_right) + 4)
    pdf.set_font(_FONT, "", _BODY)


def _pdf_title(pdf: FPDF, block: Title) -> None:
    size = 13.0
    lines: list[tuple[str, float, str]] = [(block.kind.upper(), size, "B")]
    lines += [(line, size, "B") for line in block.subject]
    y = _pdf_column(pdf, pdf.l_margin, pdf.get_y() + 2, pdf.epw, lines, "C")
    if block.addressed_to:
        y = _pdf_column(pdf, pdf.l_margin, y + 4, pdf.epw, [(f"Kính gửi: {block.addressed_to}", _BODY, "")], "C")
    pdf.set_xy(pdf.l_margin, y + 4)
    pdf.set_font(_FONT, "", _BODY)


def _pdf_table(pdf: FPDF, block: Table) -> None:
    from fpdf.fonts import FontFace

    columns = len(block.header)
    weights = block.widths or [1.0] * columns
    size = SMALL_PT - 0.5
    line = _line_mm(size, 1.5)
    # The header row never ends a page alone: it keeps at least two rows with it.
    _keep(pdf, 3 * (line + 2) + 2)
    pdf.set_font(_FONT, "", size)
    with pdf.table(
        col_widths=tuple(weights),
        width=pdf.epw,
        # Between the margins, as the text: fpdf2 centres on the page by default, which puts a table
        # 7.5 mm left of the text when the left and right margins differ (30 and 15 mm).
        align="LEFT",
        headings_style=FontFace(emphasis="BOLD"),
        text_align=tuple(block.align(index).value.upper() for index in range(columns)),
        line_height=line,
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
        _pdf_caption(pdf, block.caption)
    else:
        pdf.ln(1.5)
    pdf.set_font(_FONT, "", _BODY)


def _pdf_signature(pdf: FPDF, block: Signature) -> None:
    body, small = BODY_PT - 1, SMALL_PT - 1
    recipients: list[tuple[str, float, str]] = [("Nơi nhận:", HEADER_PT - 1, "BI")]
    recipients += [(line, small, "") for line in _recipient_lines(block)]
    signer: list[tuple[str, float, str]] = [(block.title.upper(), body, "B")]
    if block.signer_note:
        signer.append((block.signer_note, body, "I"))
    signer += [(" ", body, "")] * 4  # room for the signature and the seal
    signer.append((block.name or " ", body, "B"))
    # Keep the block on one page (the name never apart from the title), but no blank page for nothing:
    # only what it needs. A long title may wrap once.
    needed = 4 + max(
        sum(_line_mm(size, 1.35) for _, size, _ in recipients), sum(_line_mm(size, 1.35) for _, size, _ in signer)
    )
    _keep(pdf, needed + _line_mm(body, 1.35))
    pdf.ln(4)
    left_w = pdf.epw * 0.45
    x0, y0 = pdf.l_margin, pdf.get_y()
    bottom_left = _pdf_column(pdf, x0, y0, left_w, recipients, "L")
    bottom_right = _pdf_column(pdf, x0 + left_w, y0, pdf.epw - left_w, signer, "C")
    pdf.set_xy(x0, max(bottom_left, bottom_right) + 2)


def attachment_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A document as a download (one place for the header; non-ASCII names are encoded per RFC 6266)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response
