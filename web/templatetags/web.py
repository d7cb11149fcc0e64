from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def input_aria(item: object) -> str:
    """An action form's input: refused, ` aria-invalid` and its reason; with a hint, the hint
    too, in ` aria-describedby`."""
    name = getattr(item, "name", "")
    ids = [f"e-{name}"] if getattr(item, "error", "") else []
    if getattr(item, "help", ""):
        ids.append(f"h-{name}")
    invalid = mark_safe(' aria-invalid="true"') if getattr(item, "error", "") else ""
    described = format_html(' aria-describedby="{}"', " ".join(ids)) if ids else ""
    return format_html("{}{}", invalid, described)


@register.simple_tag
def field_aria(form: object, name: str, hint: str = "") -> str:
    """` aria-invalid="true" aria-describedby="e-<name>"` when the field was refused, the id of
    its hint (if it has one) added to the description: ` aria-describedby="e-<name> <hint>"`."""
    described_by = [hint] if hint else []
    if getattr(form, "errors", {}).get(name):
        described_by.insert(0, f"e-{name}")
        return format_html(' aria-invalid="true" aria-describedby="{}"', " ".join(described_by))
    if described_by:
        return format_html(' aria-describedby="{}"', hint)
    return ""
