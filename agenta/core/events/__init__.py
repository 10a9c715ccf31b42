"""Domain events: an outbox of what happened in a project, published to Redis and webhooks."""
