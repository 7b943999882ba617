"""(being written) Companion functions for the chapters."""

__all__ = []
