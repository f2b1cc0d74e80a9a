"""Use cases the GUI and the command line share."""
