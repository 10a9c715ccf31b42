"""Annotations: human feedback, queues, A/B review and agreement."""
