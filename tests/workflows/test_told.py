"""`case_transition` says whom it told: the recipients of the outbox rows it queued, never the
actor themselves."""

import pytest

from notifications.models import OutboxMessage
from tests.factories import make_case
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


def test_a_return_tells_the_reporter_and_says_so(alice, bob):
    case = make_case(alice)
    done = case_transition(case_id=case.pk, actor=bob, action="return", data={"reason": "NIK?"})
    queued = set(
        OutboxMessage.objects.filter(case_id=case.pk, event="case_returned").values_list(
            "recipient_id", flat=True
        )
    )
    assert done.told_user_ids == queued == {alice.pk}


def test_the_reporter_sending_it_again_is_not_told_of_her_own_act(alice, bob):
    case = make_case(alice)
    case_transition(case_id=case.pk, actor=bob, action="return", data={"reason": "NIK?"})
    done = case_transition(case_id=case.pk, actor=alice, action="resubmit", data={})
    assert alice.pk not in done.told_user_ids
    assert done.told_user_ids  # the duty officers of the case were told
