"""Webhooks: per-project subscriptions to events, delivered signed, retried and logged."""
