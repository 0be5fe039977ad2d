"""The main window: its layout, tabs, menus, the presenter that fills views from the controllers, and the export actions."""
