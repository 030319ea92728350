"""Models of the audits app: they arrive with the issue that builds it."""
