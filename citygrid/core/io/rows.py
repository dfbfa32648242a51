"""File cells to row values: what the importer and its worker processes both do first."""

from citygrid.core.io.resources import CellError, Resource, RowResult
from citygrid.core.text import strip_controls


def parse_rows(
    resource: Resource, index: dict[int, str], rows: list[list[str]], first: int = 2
) -> list[RowResult]:
    """Cells to values for rows numbered from `first` (the line Excel shows; 2 after the
    header); `index` maps cell positions to column names (`map_headers`)."""
    columns = {c.name: c for c in resource.columns}
    results = []
    for offset, cells in enumerate(rows):
        row = RowResult(number=first + offset)
        for i, name in index.items():
            # Cleaned before parsing: look-ups by natural key must see the value that is stored.
            text = strip_controls(cells[i]).strip() if i < len(cells) else ""
            column = columns[name]
            if not text:
                if column.required:
                    row.errors[name] = "必填"
                continue
            try:
                row.values[name] = column.parse(text) if column.parse else text
            except CellError as exc:
                row.errors[name] = exc.message
        results.append(row)
    return results
