"""makemessages, with a catalogue that merges well and never guesses.

--sort-output keeps the entries in msgid order, so two changes that add strings touch different
places of locale/en/LC_MESSAGES/django.po; --no-fuzzy-matching stops msgmerge from offering the
English of a similar string for a new one (a wrong translation that looks finished).
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--sort-output"]
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--sort-output", "--no-fuzzy-matching"]
    msguniq_options = [*makemessages.Command.msguniq_options, "--sort-output"]
    msgattrib_options = [*makemessages.Command.msgattrib_options, "--sort-output"]
