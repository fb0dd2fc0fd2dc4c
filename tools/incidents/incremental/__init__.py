"""What earlier runs learnt, so that a build or check after a small change costs what changed: the build
cache, the outputs kept, the files scanned, the rows a change touches, what changed since a commit."""
