"""Nutrition indicators as INEI/DHS define them, and design-based survey estimates."""
