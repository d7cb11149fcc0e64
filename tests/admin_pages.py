"""Helpers of the admin tests: staff clients and the text a reader sees on a page."""

import html
import re

from django.contrib.auth.models import Permission
from django.test import Client

from casework.models import User

# What an officer or supervisor made staff to work cases in the admin is given.
CASEWORK = ("view_case", "change_case", "view_historyentry")


def staff_client(user: User, *codenames: str) -> Client:
    """`user`, made staff with these permissions, signed in to the admin."""
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def visible_text(response) -> str:
    """The words on the page: no markup, attributes, scripts or styles (URLs and form values
    hold ids and codes nobody reads)."""
    page = response.content.decode()
    page = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def submit_controls(response) -> list[str]:
    """The save buttons and the delete link of a change page."""
    page = response.content.decode()
    found = re.findall(r'name="(_save|_continue|_addanother|_saveasnew)"', page)
    return found + re.findall(r'class="deletelink"', page)
