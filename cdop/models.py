"""Models of the Child Death Overview Panel app: they arrive with the issue that builds it."""
