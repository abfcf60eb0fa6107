"""The demo: synthetic returns for the pilot sites, and the whole job run on them end to end."""
