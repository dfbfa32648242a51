"""Reading and writing tabular files; cells are plain strings on the way in."""

import csv
import datetime
import io
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

FORMATS = ("xlsx", "csv")


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
    """Header and data rows; blank rows are dropped."""
    if fmt == "csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FileFormatError("无法识别文件编码，请使用 UTF-8 或 GBK 编码的 CSV")
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise FileFormatError("无法读取 Excel 文件，请确认是 .xlsx 格式") from exc
        sheet = wb.worksheets[0]
        rows = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        wb.close()
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise FileFormatError("文件为空")
    return rows[0], rows[1:]


def new_workbook() -> Workbook:
    """A workbook without openpyxl's empty default sheet; fill it with `add_sheet`."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def add_sheet(wb: Workbook, title: str, header: list[str], rows) -> Worksheet:
    """A sheet in the project's export style: bold shaded header, columns wide enough for it."""
    sheet = wb.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        sheet.append(list(row))
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
        writer.writerow(header)
        writer.writerows(rows)
        # BOM so that Excel on Chinese Windows opens UTF-8 correctly.
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    wb = new_workbook()
    add_sheet(wb, "数据", header, rows)
    if notes:
        info = wb.create_sheet("填写说明")
        for row in notes:
            info.append(row)
    return workbook_bytes(wb)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
