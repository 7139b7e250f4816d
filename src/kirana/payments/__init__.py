"""Payment intents, gateways (sandbox, cash on delivery), webhooks, refunds."""
