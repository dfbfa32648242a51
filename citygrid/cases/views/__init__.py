"""Case screens, one module per sub-domain: `case` (report, page, actions), `desk` (to-do tabs,
map), `config` (categories, departments, matrix, limits, calendar), `supervision`, `fieldwork`,
`workbench` (the 工作台 home page).
"""
