"""URL patterns for a record type from its views, with the project-wide naming scheme.

`<app>:<model>_list`, `<app>:<model>`, `<app>:<model>_edit`, ... (STYLE.md).
"""

from django.urls import path


def model_urls(prefix: str, model, **views) -> list:
    name = model._meta.model_name
    routes = {
        "list": ("", "_list"),
        "add": ("add/", "_add"),
        "imports": ("import/", "_import"),
        "export": ("export/", "_export"),
        "detail": ("<int:pk>/", ""),
        "edit": ("<int:pk>/edit/", "_edit"),
        "delete": ("<int:pk>/delete/", "_delete"),
        "changelog": ("<int:pk>/changelog/", "_changelog"),
    }
    patterns = []
    for key, view in views.items():
        route, suffix = routes[key]
        patterns.append(path(f"{prefix}/{route}", view, name=f"{name}{suffix}"))
    return patterns
