"""Writers of tender's output files (CSV, JSON; later xlsx and OCDS): results in, bytes out."""
