"""Models of the case review app: they arrive with the issue that builds it."""
