"""`python -m jirga.cli`: the `jirga` command."""

import sys

from jirga.cli.main import main

sys.exit(main())
