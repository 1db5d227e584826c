"""The lake bucket."""
