"""The alerts feature's cron, gathered by ``agenta.jobs.catalog``."""

from __future__ import annotations

from agenta.core.alerts.evaluation import alerts_cron
from agenta.jobs.registry import CronSpec

CRONS = [CronSpec("alerts.evaluate", alerts_cron, every_minutes=1, timeout=240)]
