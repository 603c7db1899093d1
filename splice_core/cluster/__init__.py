"""Ray: connecting to a cluster, scoring files on Ray Data, and sweeps on Ray Tune sent from the command line or the app."""
