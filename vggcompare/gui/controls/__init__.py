"""The experiment panel: its groups, fields and the Run panel."""
