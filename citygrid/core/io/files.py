"""Reading and writing tabular files; cells are plain strings on the way in.

Every export is written here (`write_table`, `add_sheet`), so every cell on the way out passes
`safe_cell`: the one place where exported text is made safe to open.
"""

import contextlib
import csv
import datetime
import io
import itertools
from pathlib import Path

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from citygrid.core.text import strip_controls

FORMATS = ("xlsx", "csv")
# Spreadsheets run a cell that starts with one of these as a formula, even after spaces; a
# citizen's address "=HYPERLINK(...)" would become a live link in a dispatcher's Excel.
FORMULA_STARTS = ("=", "+", "-", "@")


class FileFormatError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def detect_format(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise FileFormatError("仅支持 .xlsx 或 .csv 文件")
    return suffix


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel turns long codes into numbers; 15 digits still fit a double exactly.
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class Table:
    """A data file read in two passes and never held whole: `open_table` scans it once (the
    encoding, the header, the number of data rows, refusing a file over the cap before any row
    is used); iterating yields the data rows one at a time, blank rows dropped."""

    def __init__(self, fh, fmt: str):
        self._fh = fh
        self.fmt = fmt
        self.encoding = "utf-8-sig"
        self.header: list[str] = []
        self.count = 0

    def __iter__(self):
        rows = self._rows()
        next(rows, None)  # the header
        return rows

    def _rows(self):
        """The non-blank rows from the start of the file, cells as stripped strings."""
        self._fh.seek(0)
        if self.fmt == "csv":
            text = io.TextIOWrapper(self._fh, encoding=self.encoding, newline="")
            try:
                for row in csv.reader(text):
                    cells = [c.strip() for c in row]
                    if any(cells):
                        yield cells
            finally:
                # The caller owns the file: the wrapper must not close it when collected (an
                # abandoned pass may be collected after the caller closed it).
                with contextlib.suppress(ValueError):
                    text.detach()
            return
        try:
            wb = load_workbook(self._fh, read_only=True, data_only=True)
        except Exception as exc:
            raise FileFormatError("无法读取 Excel 文件，请确认是 .xlsx 格式") from exc
        try:
            for row in wb.worksheets[0].iter_rows(values_only=True):
                cells = [_cell(c) for c in row]
                if any(cells):
                    yield cells
        finally:
            wb.close()

    def _scan(self, cap: int) -> None:
        encodings = ("utf-8-sig", "gb18030") if self.fmt == "csv" else ("",)
        for encoding in encodings:
            self.encoding = encoding
            rows = self._rows()
            try:
                self.header = next(rows, [])
                self.count = sum(1 for _ in itertools.islice(rows, cap + 1))
                break
            except UnicodeDecodeError:
                continue
            finally:
                rows.close()
        else:
            raise FileFormatError("无法识别文件编码，请使用 UTF-8 或 GBK 编码的 CSV")
        if not self.header:
            raise FileFormatError("文件为空")
        if self.count > cap:
            raise FileFormatError(f"文件超过 {cap} 行数据的上限，请拆分后分批导入")


def open_table(fh, fmt: str, cap: int | None = None) -> Table:
    """A seekable binary file as a `Table`; at most `cap` data rows (default
    `CITYGRID_MAX_IMPORT_ROWS`), counted without reading past one row over the cap."""
    table = Table(fh, fmt)
    table._scan(settings.CITYGRID_MAX_IMPORT_ROWS if cap is None else cap)
    return table


def read_table(data: bytes, fmt: str, cap: int | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a small file held in memory (a preview, the error file)."""
    table = open_table(io.BytesIO(data), fmt, cap)
    return table.header, list(table)


def safe_cell(value):
    """An exported cell: text loses control characters (openpyxl refuses them, rows stored
    before input was cleaned may hold them) and, per OWASP's CSV-injection rule, gets a leading
    `'` when a spreadsheet would read it as a formula. Numbers and dates pass unchanged."""
    if not isinstance(value, str):
        return value
    value = strip_controls(value)
    if value.startswith(("\t", "\r")) or value.lstrip(" \t\r\n").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe_row(row) -> list:
    return [safe_cell(value) for value in row]


def new_workbook() -> Workbook:
    """A workbook without openpyxl's empty default sheet; fill it with `add_sheet`."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def add_sheet(wb: Workbook, title: str, header: list[str], rows) -> Worksheet:
    """A sheet in the project's export style: bold shaded header, columns wide enough for it."""
    sheet = wb.create_sheet(title)
    sheet.append(_safe_row(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        # Neutralised text never starts with "=", so openpyxl stores it as a string, never a
        # formula.
        sheet.append(_safe_row(row))
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(12, len(name) * 2 + 4)
    return sheet


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_table(header: list[str], rows, fmt: str, notes: list[list[str]] | None = None) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(_safe_row(header))
        writer.writerows(_safe_row(row) for row in rows)
        # BOM so that Excel on Chinese Windows opens UTF-8 correctly.
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    wb = new_workbook()
    add_sheet(wb, "数据", header, rows)
    if notes:
        info = wb.create_sheet("填写说明")
        for row in notes:
            info.append(_safe_row(row))
    return workbook_bytes(wb)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
