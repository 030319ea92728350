"""Services of the subgroups, one module per sub-area."""
