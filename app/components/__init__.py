"""Dash components shared by pages."""
