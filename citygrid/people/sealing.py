"""Sealed juvenile criminal records (未成年人犯罪记录封存, Criminal Procedure Law Art. 286).

A sealed special-group row may be known to exist (lists show "已封存"), but its details, and
anything that ties it to a place or a trail (the building table's marker, the map, trails), stay
with superusers: the law allows disclosure only on a statutory request, handled outside the
system.
"""


def can_see_sealed(user) -> bool:
    return user.is_superuser
