"""CLI sub-commands, one module each: `register(subparsers)` adds the parser and its `run`."""
