"""Reads of the notifications app."""

from django.db.models import QuerySet

from casework.models import User
from notifications.channels import BACKENDS
from notifications.models import Channel, InboxItem, Preference


def channels_for(users: list[User]) -> dict[int, list[str]]:
    """The channels each user is told by: the inbox always, plus those they chose and can use."""
    # Routing reads recipients with their preference (select_related): no query then.
    cache = User.notification_preference.related
    if all(cache.is_cached(user) for user in users):
        cached = (cache.get_cached_value(user) for user in users)
        preferences = {p.user_id: p for p in cached if isinstance(p, Preference)}
    else:
        preferences = {p.user_id: p for p in Preference.objects.filter(user__in=users)}
    result: dict[int, list[str]] = {}
    for user in users:
        preference = preferences.get(user.pk)
        chosen = [Channel.INBOX]
        if preference is not None:
            chosen += [c for c in (Channel.EMAIL, Channel.WEBHOOK) if getattr(preference, c)]
        result[user.pk] = [str(c) for c in chosen if BACKENDS[c].available_for(user)]
    return result


def preference_for(user: User) -> Preference:
    """The user's preference, unsaved defaults if they never chose."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def inbox_for(user: User) -> QuerySet[InboxItem]:
    """The user's own inbox (filters: `notifications.filters.InboxFilter`)."""
    return InboxItem.objects.filter(recipient=user)


def inbox_page(user: User, *, limit: int) -> list[InboxItem]:
    """The inbox as a page shows it: the unread first, each part newest first."""
    unread = list(inbox_for(user).filter(read_at__isnull=True)[:limit])
    read = inbox_for(user).filter(read_at__isnull=False)[: max(0, limit - len(unread))]
    return [*unread, *read]


def inbox_unread_count(user: User) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()
