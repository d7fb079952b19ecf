"""Score runs: stored computations of a methodology over a period's approved values."""
