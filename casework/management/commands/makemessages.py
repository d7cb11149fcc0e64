"""`makemessages` without fuzzy matching: a guessed translation is worse than none.

msgmerge's guesses look plausible (a birth-date message offered for an observation time) and
Django compiles fuzzy entries out silently; an untranslated entry instead fails the catalogue test.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
