"""Units (a tree with named levels, groups, validity and predecessors), people and scopes."""
