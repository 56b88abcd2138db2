"""Cross-cutting pieces of the UPI lakehouse: settings, the event contract, the local stack and the CLI."""
