"""The pure core: no flask, no connexion, no clock reads, no global randomness."""
