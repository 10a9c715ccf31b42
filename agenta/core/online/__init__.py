"""Online evaluation: rules that score live traces as they arrive."""
