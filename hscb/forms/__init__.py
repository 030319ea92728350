"""forms of the board core, one module per sub-area."""
