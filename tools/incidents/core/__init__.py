"""The toolkit's groundwork: where things live in a dataset, the error value, atomic writes, git access."""
