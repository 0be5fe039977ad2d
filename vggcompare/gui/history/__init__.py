"""The history of saved runs: its table model and panel."""
