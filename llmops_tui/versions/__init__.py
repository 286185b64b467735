"""The git-native version registry: scan, sync, resolve references, diff."""
