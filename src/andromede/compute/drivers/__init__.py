"""Region drivers: the only code that talks to hypervisors. They never import each other."""
