"""Printed documents (the 调解协议书 first) as PDF: a Django template holds the wording, this
module the layout.

The template is a small HTML subset, so the wording can be edited without touching Python
and every value in it is escaped by Django (a party's name cannot inject layout):

- ``<h1>`` title, ``<h2>`` section heading;
- ``<p>`` paragraph, first line indented two characters as in Chinese documents; classes
  ``flush`` (no indent), ``right``, ``center``, ``sign`` (a signature line: the label, then a
  rule to sign on); ``<br>`` breaks a line inside a paragraph;
- ``<section class="keep">`` keeps its blocks on one page when they fit on one;
- ``<footer>`` the text at the foot of every page, ``{page}`` and ``{pages}`` filled in.

The font is one TrueType/OpenType file (or a face of a collection) with Chinese glyphs, embedded
as a subset: ``settings.CITYGRID_PDF_FONT`` / ``CITYGRID_PDF_FONT_FACE``. Debian's fonts-noto-cjk
by default (installed by the Makefile). Without it rendering is refused rather than producing a
document of empty boxes.
"""

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from fpdf import FPDF
from fpdf.enums import TextMode

from citygrid.core.errors import ActionError

logger = logging.getLogger(__name__)


class _NoGlyphList(logging.Filter):
    """fpdf2 logs the characters its font lacks, which may come from a party's name: personal
    data stays out of the logs (`render_template` logs how many instead)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "missing the following glyphs" not in str(record.msg)


logging.getLogger("fpdf.output").addFilter(_NoGlyphList())

# Glyphs a font must have to print Chinese at all (the checked font is refused without them).
CHINESE_PROBE = "人民调解协议书申请人"

# Line-breaking rules for Chinese text (禁则): a line never starts with closing punctuation and
# never ends with opening punctuation.
NO_LINE_START = set("，。、；：？！）】》」』〕〉”’…—·,.;:?!)]}%")
NO_LINE_END = set("（【《「『〔〈“‘([{")

# A4 in millimetres; sizes in points (二号 title, 四号 headings, 小四 body).
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 26.0, 25.0, 22.0
STYLES = {
    "h1": {"size": 22, "bold": True, "leading": 1.6, "before": 4, "after": 6},
    "h2": {"size": 14, "bold": True, "leading": 1.8, "before": 3, "after": 1},
    "p": {"size": 12, "bold": False, "leading": 1.8, "before": 0, "after": 1},
    "sign": {"size": 12, "bold": False, "leading": 1.8, "before": 6, "after": 2},
}
PT = 25.4 / 72  # millimetres per point
SIGN_RULE = 55.0  # millimetres of rule to sign on


def font_missing() -> ActionError:
    return ActionError(
        "pdf_font_missing",
        "服务器缺少生成文书所需的中文字体，无法生成 PDF，请联系系统管理员（安装 fonts-noto-cjk "
        "或设置 CITYGRID_PDF_FONT）",
        503,
    )


@dataclass
class Block:
    tag: str
    classes: set[str]
    lines: list[str] = field(default_factory=lambda: [""])


@dataclass
class Page:
    blocks: list[Block | list[Block]] = field(default_factory=list)
    footer: str = ""


class _Parser(HTMLParser):
    """The template's blocks, in order; a `keep` section becomes a list of blocks."""

    BLOCKS = {"h1", "h2", "p"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.current: Block | None = None
        self.section: list[Block] | None = None
        self.in_footer = False

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        if tag in self.BLOCKS:
            self._close()
            self.current = Block("sign" if "sign" in classes else tag, classes)
        elif tag == "br" and self.current is not None:
            self.current.lines.append("")
        elif tag == "section" and "keep" in classes:
            self._close()
            self.section = []
        elif tag == "footer":
            self._close()
            self.in_footer = True

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._close()
        elif tag == "section" and self.section is not None:
            self._close()
            if self.section:
                self.page.blocks.append(self.section)
            self.section = None
        elif tag == "footer":
            self.in_footer = False

    def handle_data(self, data):
        text = " ".join(data.split())
        if data[:1].isspace() and text:
            text = " " + text
        if data[-1:].isspace() and text:
            text += " "
        if self.in_footer:
            self.page.footer += text
            return
        if self.current is None:
            if not text.strip():
                return
            self.current = Block("p", set())
        self.current.lines[-1] += text

    def _close(self):
        block, self.current = self.current, None
        if block is None:
            return
        block.lines = [line.strip() for line in block.lines]
        if not any(block.lines):
            return
        (self.section if self.section is not None else self.page.blocks).append(block)

    def close(self):
        super().close()
        self._close()


def parse(markup: str) -> Page:
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    parser.page.footer = parser.page.footer.strip()
    return parser.page


def _tokens(text: str) -> list[str]:
    """Break opportunities: between Chinese characters, at spaces, never inside a run of Latin
    letters or digits, and never where the punctuation rules forbid it."""
    raw: list[str] = []
    for char in text:
        latin = char.isascii() and not char.isspace() and char not in NO_LINE_END
        if raw and latin and raw[-1][-1:].isascii() and not raw[-1][-1:].isspace():
            raw[-1] += char
        else:
            raw.append(char)
    tokens: list[str] = []
    for token in raw:
        if tokens and (token[0] in NO_LINE_START or tokens[-1][-1] in NO_LINE_END):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def break_lines(text: str, width_of, first_width: float, width: float) -> list[str]:
    """`text` as lines no wider than the widths (the first line may be narrower: indent). A
    token wider than a whole line (a long number, a URL) is cut by character."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        limit = first_width if not lines else width
        candidate = line + token
        if width_of(candidate.rstrip()) <= limit:
            line = candidate
            continue
        if line.strip():
            lines.append(line.rstrip())
            line = ""
            limit = width
            token = token.lstrip()
        for char in token:
            if line and width_of(line + char) > limit:
                lines.append(line)
                line, limit = "", width
            line += char
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


class _Document(FPDF):
    footer_text = ""

    def footer(self):
        if not self.footer_text:
            return
        self.set_y(-MARGIN_BOTTOM + 6)
        self.set_font("cjk", size=9)
        text = self.footer_text.replace("{page}", str(self.page_no()))
        self.cell(0, 6, text.replace("{pages}", self.str_alias_nb_pages), align="C")


def _load_font(pdf: FPDF) -> None:
    path = Path(settings.CITYGRID_PDF_FONT)
    if not path.is_file():
        logger.error("PDF font not found: %s", path)
        raise font_missing()
    face = settings.CITYGRID_PDF_FONT_FACE if path.suffix.lower() in {".ttc", ".otc"} else 0
    try:
        pdf.add_font("cjk", "", str(path), collection_font_number=face)
    # fontTools fails on a file that is not a font (or has no such face) in many ways.
    except Exception as exc:
        logger.error("PDF font unusable: %s (face %s): %s", path, face, exc)
        raise font_missing() from exc
    font = pdf.fonts["cjk"]
    if any(ord(char) not in font.cmap for char in CHINESE_PROBE):
        font.close()
        logger.error("PDF font has no Chinese glyphs: %s (face %s)", path, face)
        raise font_missing()


@dataclass
class Line:
    offset: float  # from the left margin (a paragraph's indent)
    text: str
    justify: bool  # stretched to the right margin: a wrapped line that is not a line's last
    rule: bool  # a signature line's last line: followed by a rule to sign on


class _Writer:
    def __init__(self, pdf: _Document):
        self.pdf = pdf
        self.width = pdf.w - 2 * MARGIN_SIDE

    def _set(self, style: dict) -> float:
        """Select the style's size; the line height."""
        self.pdf.set_font("cjk", size=style["size"])
        return style["size"] * PT * style["leading"]

    def _weight(self, style: dict):
        """Faux bold from the one font file: a thin outline around the filled glyphs, in a
        local graphics state (a text mode set outside one leaks into the following text)."""
        if not style["bold"]:
            return nullcontext()
        return self.pdf.local_context(
            text_mode=TextMode.FILL_STROKE, line_width=style["size"] * PT * 0.035
        )

    def lines(self, block: Block) -> list[Line]:
        style = STYLES[block.tag]
        self._set(style)
        indent = 2 * style["size"] * PT if block.tag == "p" and not block.classes else 0
        # A signature line keeps room for its rule; only left-aligned text is justified.
        room = min(SIGN_RULE, self.width / 2) if block.tag == "sign" else 0
        justify = block.tag == "p" and not block.classes & {"right", "center"}
        out = []
        for text in block.lines:
            first = indent if not out else 0
            wrapped = break_lines(
                text, self.pdf.get_string_width, self.width - first - room, self.width - room
            )
            last = len(wrapped) - 1
            out += [
                Line(first if i == 0 else 0, line, justify and i < last, room > 0 and i == last)
                for i, line in enumerate(wrapped)
            ]
        return out

    def height(self, block: Block) -> float:
        style = STYLES[block.tag]
        return style["before"] + len(self.lines(block)) * self._set(style) + style["after"]

    def write(self, block: Block) -> None:
        pdf = self.pdf
        style = STYLES[block.tag]
        lines = self.lines(block)
        leading = self._set(style)
        if block.tag == "h2" and pdf.will_page_break(style["before"] + 3 * leading):
            pdf.add_page()
        pdf.set_y(pdf.get_y() + style["before"])
        align = "C" if block.tag == "h1" or "center" in block.classes else "L"
        if "right" in block.classes:
            align = "R"
        for line in lines:
            if pdf.will_page_break(leading):
                pdf.add_page()
            pdf.set_x(MARGIN_SIDE + line.offset)
            self._set(style)
            available = self.width - line.offset
            with self._weight(style), pdf.local_context(char_spacing=self._spacing(line)):
                if line.rule:
                    pdf.cell(pdf.get_string_width(line.text), leading, line.text)
                else:
                    pdf.cell(available, leading, line.text, align=align)
            if line.rule:
                self._rule(leading)
            pdf.ln(leading)
        pdf.set_y(pdf.get_y() + style["after"])

    def _spacing(self, line: Line) -> float:
        """Points between characters that bring a justified line to the right margin, as in
        printed Chinese; none where the gaps would show (a line cut short by a long number)."""
        gaps = len(line.text) - 1
        if not line.justify or gaps < 1:
            return 0
        extra = (self.width - line.offset - self.pdf.get_string_width(line.text)) / gaps / PT
        return extra if 0 < extra <= self.pdf.font_size_pt * 0.1 else 0

    def _rule(self, leading: float) -> None:
        pdf = self.pdf
        x = pdf.get_x() + 1
        y = pdf.get_y() + leading * 0.78
        pdf.set_line_width(0.2)
        pdf.line(x, y, min(x + SIGN_RULE, MARGIN_SIDE + self.width), y)

    def write_kept(self, blocks: list[Block]) -> None:
        total = sum(self.height(block) for block in blocks)
        usable = self.pdf.h - MARGIN_TOP - MARGIN_BOTTOM
        if total <= usable and self.pdf.will_page_break(total):
            self.pdf.add_page()
        for block in blocks:
            self.write(block)


def render_template(template_name: str, context: dict, *, title: str) -> bytes:
    """The PDF of `template_name` rendered with `context`."""
    page = parse(render_to_string(template_name, context))
    pdf = _Document(format="A4")
    _load_font(pdf)
    pdf.set_title(title)
    pdf.set_creator("CityGrid")
    pdf.set_margins(MARGIN_SIDE, MARGIN_TOP, MARGIN_SIDE)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    pdf.footer_text = page.footer
    pdf.add_page()
    writer = _Writer(pdf)
    for item in page.blocks:
        if isinstance(item, list):
            writer.write_kept(item)
        else:
            writer.write(item)
    document = bytes(pdf.output())
    if missing := len(pdf.fonts["cjk"].missing_glyphs):
        logger.warning("%s: %d characters not in the PDF font, printed as boxes", title, missing)
    return document
