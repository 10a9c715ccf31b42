"""Helpers shared by tests: small real servers and fixtures, never mocks of our own code."""
