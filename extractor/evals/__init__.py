"""Evaluation harness (being written)."""
