"""One module per family of file formats; each turns bytes into Extracted texts."""
