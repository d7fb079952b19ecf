"""Resolutions with numbered targets, assigned tasks with progress, and emulation rankings."""
