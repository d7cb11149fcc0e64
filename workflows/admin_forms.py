"""The forms behind the admin's transition buttons: the same fields as the API's bodies."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import AssistanceKind, Outcome, Role, User


def _staff() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=[Role.OFFICER, Role.SUPERVISOR], is_active=True),
        label=_("Assignee"),
    )


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("Assessment summary"), widget=forms.Textarea, max_length=5000)
    assignee = _staff()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=5000)


class ResubmitForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)


class RejectForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, o.label) for o in (Outcome.REJECTED, Outcome.DUPLICATE)],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=5000)
    duplicate_of = forms.UUIDField(label=_("Duplicate of (case id)"), required=False)


class AssistForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of assistance"), choices=AssistanceKind.choices)
    description = forms.CharField(
        label=_("What was delivered"), widget=forms.Textarea, max_length=5000
    )
    delivered_at = forms.DateField(label=_("Delivered on"))
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (o.value, o.label)
            for o in (Outcome.RESOLVED, Outcome.REFERRED, Outcome.DECEASED, Outcome.UNREACHABLE)
        ],
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, max_length=5000)
    referred_to = forms.CharField(label=_("Referred to"), max_length=200, required=False)


class AssignForm(forms.Form):
    assignee = _staff()
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)


class TransferForm(forms.Form):
    region = forms.CharField(label=_("New region code"), max_length=13)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=5000)


# Keyed by the transition method's name, as django-fsm-2's admin expects.
TRANSITION_FORMS = {
    "verify": VerifyForm,
    "return_to_reporter": ReasonForm,
    "resubmit": ResubmitForm,
    "reject": RejectForm,
    "assist": AssistForm,
    "close": CloseForm,
    "reopen": ReasonForm,
    "assign": AssignForm,
    "transfer": TransferForm,
}
