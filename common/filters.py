"""Query-string filters every list shares: a refused choice names the valid ones."""

from typing import Any

import django_filters as filters
from django import forms
from django_filters.fields import ChoiceField as FilterChoiceField
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

from common.serializers import invalid_choice_message


def _refused(value: Any, valid: Any) -> forms.ValidationError:
    # django-filter %-formats the message with its params: the value, typed by the client, may
    # hold a "%" of its own.
    message = invalid_choice_message(value, valid).replace("%", "%%")
    return forms.ValidationError(message, code="invalid_choice")


class ListedChoiceField(FilterChoiceField):
    def validate(self, value: Any) -> None:
        try:
            super().validate(value)
        except forms.ValidationError as exc:
            if exc.code != "invalid_choice":
                raise
            valid = [choice for choice, _label in self.choices if choice not in ("", None)]
            raise _refused(value, valid) from None


class ChoiceFilter(filters.ChoiceFilter):
    field_class = ListedChoiceField


class ListedModelChoiceField(FilterModelChoiceField):
    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            if exc.code != "invalid_choice":
                raise
            key = self.to_field_name or "pk"
            valid = self.queryset.order_by(key).values_list(key, flat=True)
            raise _refused(value, valid) from None


class ModelChoiceFilter(filters.ModelChoiceFilter):
    field_class = ListedModelChoiceField
