"""Reading sources into Document records: the folder walk, one module per family of formats."""
