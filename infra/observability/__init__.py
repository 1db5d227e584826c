"""Alarms, the alarm topic and the budget."""
