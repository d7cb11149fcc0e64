"""The default SLA policy of WORKFLOW.md, loaded once and then the admin's to change."""

from django.db import transaction

from workflows.models import DEFAULT_SLA, SlaPolicy


@transaction.atomic
def load_default_sla() -> int:
    """Create the per-urgency defaults that are missing; never overwrite an admin's edit."""
    created = 0
    for urgency, (verify, assist, close) in DEFAULT_SLA.items():
        _policy, made = SlaPolicy.objects.get_or_create(
            urgency=urgency,
            category=None,
            defaults={"verify_within": verify, "assist_within": assist, "close_within": close},
        )
        created += made
    return created
