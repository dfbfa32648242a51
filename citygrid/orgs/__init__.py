"""Teams (机构队伍): the grid-management system's own units, staff and duties."""
