"""The top-level `message` of a 400: how many fields need fixing, named in the reader's words.

`errors` keep their dotted paths (`subject.nik`) for programs; the summary is for the person at
the form: "2 isian perlu diperbaiki: NIK (Orang yang dilaporkan), Deskripsi." A field's words
are its label, found where the view reads it:

- the label the error itself carries (`FieldError.label`: a paginator's or a header's field);
- the view's input serializer: `input_serializer_class` (or, for DRF's generic views such as
  the token endpoints, `get_serializer_class()`), walked along the path; a nested field is
  named with its parents ("NIK (Orang yang dilaporkan)");
- the view's `filterset_class` for query parameters (first for GET, last otherwise);
- else the path's last part, as DRF would label it, through the translation catalogue.
"""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from common.errors import FieldError


def summary(errors: list[FieldError], view: object | None) -> str:
    """One sentence for the whole 400; the first error's own message when no field is named."""
    if not errors:
        return _("Some fields are invalid.")
    fields: dict[str, FieldError] = {}
    for error in errors:
        if error.field and error.field not in fields:
            fields[error.field] = error
    if not fields:
        return str(errors[0].message)
    words = [field_words(error, view) for error in fields.values()]
    if len(words) == 1:
        only = next(iter(fields.values()))
        return _("1 field needs fixing: %(field)s (%(message)s)") % {
            "field": words[0],
            "message": str(only.message).rstrip("."),
        }
    return _("%(count)d fields need fixing: %(fields)s.") % {
        "count": len(words),
        "fields": ", ".join(words),
    }


def field_words(error: FieldError, view: object | None) -> str:
    if error.label:
        return str(error.label)
    path = (error.field or "").split(".")
    for source in _sources(view):
        labels = _labels_along(source, path)
        if labels:
            field, *parents = reversed(labels)
            return f"{field} ({', '.join(parents)})" if parents else field
    return _default_label(path[-1])


def _default_label(name: str) -> str:
    """What DRF calls a field without a label, in the reader's language where the catalogue
    knows it."""
    return _(name.replace("_", " ").capitalize())


def _sources(view: object | None) -> Iterator[Any]:
    if view is None:
        return
    filterset = getattr(view, "filterset_class", None)
    request = getattr(view, "request", None)
    reads_query = getattr(request, "method", "GET") in ("GET", "HEAD")
    if filterset is not None and reads_query:
        yield filterset
    serializer_class = getattr(view, "input_serializer_class", None)
    if serializer_class is None and callable(getter := getattr(view, "get_serializer_class", None)):
        try:
            serializer_class = getter()
        except AssertionError:  # a generic view without one
            serializer_class = None
    if serializer_class is not None:
        yield serializer_class()
    if filterset is not None and not reads_query:
        yield filterset


def _labels_along(source: Any, path: list[str]) -> list[str]:
    """The labels of the fields along `path` (outermost first); empty when it is not there. A
    path that leaves the serializer part-way (into a free-form object) ends in its last part."""
    base_filters = getattr(source, "base_filters", None)
    if base_filters is not None:
        found = base_filters.get(path[0]) if len(path) == 1 else None
        return [str(found.label)] if found is not None and found.label else []
    labels: list[str] = []
    node: Any = source
    for part in path:
        while isinstance(node, serializers.ListSerializer | serializers.ListField):
            node = node.child
        if part.isdigit() and labels:
            continue  # an item of a list: named by the list
        fields = getattr(node, "fields", None)
        if not isinstance(node, serializers.Serializer) or fields is None or part not in fields:
            return [*labels, _default_label(path[-1])] if labels else []
        node = fields[part]
        labels.append(_(str(node.label)) if node.label else _default_label(part))
    return labels
