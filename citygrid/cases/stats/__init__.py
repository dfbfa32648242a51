"""Statistics pages over the case indicators (`citygrid.cases.indicators`)."""
