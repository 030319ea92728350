"""Models of the subgroups app: they arrive with the issue that builds it."""
