"""Provider implementations over the official SDKs (imported lazily by each provider)."""
