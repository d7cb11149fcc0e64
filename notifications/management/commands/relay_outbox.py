"""Run the relay sweep once: hand every due, pending delivery to the broker (or, without Redis,
deliver it in this process). Beat does this every few seconds; this is for operators."""

from django.core.management.base import BaseCommand

from notifications import relay


class Command(BaseCommand):
    help = "Publish every due, pending notification delivery (the relay sweep, once)."

    def handle(self, *args, **options) -> None:
        total = 0
        while published := relay.sweep():
            total += published
        self.stdout.write(f"{total} deliveries published.")
