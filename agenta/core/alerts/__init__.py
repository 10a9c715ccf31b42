"""Alerts: rules over trace metrics and evaluation scores that fire and recover as events."""
