"""Turning a workflow item into revision data and back, and comparing two revisions.

Revision data is plain JSON so that it survives model changes: a field added later is simply
absent from old revisions (applying one leaves the new field as it is), a field removed is ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import escape, strip_tags

from content.models.workflow import Publishable


def _field(item: Publishable | type[Publishable], name: str) -> models.Field[Any, Any]:
    field = item._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(item: Publishable, *, m2m: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """The tracked fields of ``item`` as JSON values; ``m2m`` gives many-to-many ids not yet saved."""
    data: dict[str, Any] = {}
    for name in item.revision_fields:
        field = _field(item, name)
        if field.many_to_many:
            if m2m is not None and name in m2m:
                ids = m2m[name]
            elif item.pk is None:
                ids = []
            else:
                ids = list(getattr(item, name).values_list("pk", flat=True))
            data[name] = sorted(int(i) for i in ids)
        elif field.is_relation:
            data[name] = getattr(item, field.attname)
        else:
            data[name] = _to_json(getattr(item, name))
    return data


def _from_json(field: models.Field[Any, Any], value: Any) -> Any:
    # Callers of item_save may pass dates and numbers as Python values rather than JSON text.
    if value is None or not isinstance(value, str):
        return value
    if isinstance(field, models.DateTimeField):
        return parse_datetime(value)
    if isinstance(field, models.DateField):
        return parse_date(value)
    if isinstance(field, models.DecimalField):
        return Decimal(value)
    return value


def apply(item: Publishable, data: dict[str, Any]) -> dict[str, list[int]]:
    """Set the row fields of ``item`` from ``data``; returns the many-to-many ids to set after saving."""
    m2m: dict[str, list[int]] = {}
    for name in item.revision_fields:
        if name not in data:
            continue
        field = _field(item, name)
        if field.many_to_many:
            m2m[name] = [int(i) for i in data[name] or []]
        elif field.is_relation:
            setattr(item, field.attname, data[name])
        else:
            setattr(item, name, _from_json(field, data[name]))
    return m2m


def m2m_set(item: Publishable, m2m: dict[str, list[int]]) -> None:
    for name, ids in m2m.items():
        getattr(item, name).set(ids)


@dataclasses.dataclass(frozen=True)
class FieldDiff:
    """One changed field: its label and the change as HTML (``<del>``/``<ins>``), already escaped."""

    name: str
    label: str
    html: str


_WORDS = re.compile(r"\S+\s*|\s+")  # a word with the space after it, so changed runs merge


def _text(field: models.Field[Any, Any], value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    if field.name in ("body", "body_en", "abstract", "summary"):
        # Compare what the reader sees: the words, not the markup around them.
        text = strip_tags(text)
    return text


def _words_diff(old: str, new: str) -> str:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def diff(model: type[Publishable], old: dict[str, Any], new: dict[str, Any]) -> list[FieldDiff]:
    """The fields that differ between two revisions' data, with a word-level diff of each."""
    changes: list[FieldDiff] = []
    for name in model.revision_fields:
        if old.get(name) == new.get(name):
            continue
        field = _field(model, name)
        changes.append(
            FieldDiff(
                name=name,
                label=str(field.verbose_name),
                html=_words_diff(_text(field, old.get(name)), _text(field, new.get(name))),
            )
        )
    return changes
