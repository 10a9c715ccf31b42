"""Fakes of outside services, real enough to be driven by the real client libraries."""
