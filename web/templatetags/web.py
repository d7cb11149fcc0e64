from django import template
from django.utils.html import format_html

register = template.Library()


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
