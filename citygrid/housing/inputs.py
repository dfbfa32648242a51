"""Normalising personal identifiers typed into housing forms, the API and the declaration."""

from django.core.exceptions import ValidationError

from citygrid.core.validators import InvalidIdentifier, normalize_id_number, normalize_mobile


def id_number(value: str) -> str:
    """The canonical 18-character ID number, or a ValidationError with the standard's reason."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalize_id_number(value)
    except InvalidIdentifier as exc:
        raise ValidationError(exc.message) from exc


def mobile(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalize_mobile(value)
    except InvalidIdentifier as exc:
        raise ValidationError("手机号码格式不正确") from exc


def tenant_lines(text: str) -> str:
    """Declared tenants, one per line "姓名 证件号码 电话"; returns the normalised text.

    Every line is checked, so a typo in an ID number is caught while the landlord is still at
    the form rather than at the grid worker's door.
    """
    lines = []
    errors = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        parts = raw.replace("，", " ").replace(",", " ").split()
        if not parts:
            continue
        if len(parts) < 2 or len(parts) > 3:
            errors.append(f"第{n}行应为“姓名 证件号码 电话”")
            continue
        try:
            parts[1] = id_number(parts[1])
            if len(parts) == 3:
                parts[2] = mobile(parts[2])
        except ValidationError as exc:
            errors.append(f"第{n}行：{exc.messages[0]}")
            continue
        lines.append(" ".join(parts))
    if errors:
        raise ValidationError(errors)
    return "\n".join(lines)
