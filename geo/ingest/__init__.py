"""Ways in: dataset files and news reports become validated incidents in a store, with every
rejected row reported by line and reason."""
