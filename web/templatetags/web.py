from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def field_aria(form: object, name: str) -> str:
    """` aria-invalid="true" aria-describedby="e-<name>"` when the field was refused."""
    if getattr(form, "errors", {}).get(name):
        return format_html(' aria-invalid="true" aria-describedby="e-{}"', name)
    return ""
