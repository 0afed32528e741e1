"""`python -m geo …`: the command line over the same functions the dashboard uses."""

import sys

from geo.cli import main

sys.exit(main())
