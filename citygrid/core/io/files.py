"""Reading and writing tabular files; cells are plain strings on the way in.

Every export is written here (`write_table`, `add_sheet`), so every cell on the way out passes
`safe_cell`: the one place where exported text is made safe to open.
"""

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


def read_table(data: bytes, fmt: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows; blank rows are dropped. A file with more than
    `CITYGRID_MAX_IMPORT_ROWS` data rows is refused after reading one row past the cap, so a
    sheet that unpacks to a million rows is never held in memory."""
    cap = settings.CITYGRID_MAX_IMPORT_ROWS
    if fmt == "csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FileFormatError("无法识别文件编码，请使用 UTF-8 或 GBK 编码的 CSV")
        rows = _first_rows(([c.strip() for c in row] for row in csv.reader(io.StringIO(text))), cap)
    else:
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise FileFormatError("无法读取 Excel 文件，请确认是 .xlsx 格式") from exc
        try:
            cells = wb.worksheets[0].iter_rows(values_only=True)
            rows = _first_rows(([_cell(c) for c in row] for row in cells), cap)
        finally:
            wb.close()
    if not rows:
        raise FileFormatError("文件为空")
    if len(rows) > cap + 1:
        raise FileFormatError(f"文件超过 {cap} 行数据的上限，请拆分后分批导入")
    return rows[0], rows[1:]


def _first_rows(rows, cap: int) -> list[list[str]]:
    """The non-blank rows: the header, the data rows up to `cap`, and one more if there is one."""
    return list(itertools.islice((r for r in rows if any(r)), cap + 2))


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
