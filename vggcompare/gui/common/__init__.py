"""Shared pieces of the window: theme, settings, dialogs, Qt image conversions, the Qt guard, the collapsible group."""
