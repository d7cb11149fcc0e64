"""`makemessages` without fuzzy matching (a guessed translation is worse than none), and with
`_lazy` read as gettext_lazy.

msgmerge's guesses look plausible (a birth-date message offered for an observation time) and
Django compiles fuzzy entries out silently; an untranslated entry instead fails the catalogue test.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
    # A module that needs both gettext and gettext_lazy imports the lazy one as `_lazy`.
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
