"""Tracing: OTLP decoding, span normalisation, trace trees and redaction (pure functions)."""
