"""The main window: its layout, tabs, menus, the presenter that fills views from the controllers, the export actions
(figures, reports, "Save figure as…") and the offscreen screenshot."""
