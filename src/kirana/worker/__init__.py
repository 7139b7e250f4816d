"""Background work: the outbox relay, event consumers and scheduled jobs."""
