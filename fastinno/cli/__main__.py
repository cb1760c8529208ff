"""``python -m fastinno.cli``: the ``fastinno`` command."""

import sys

from . import main

main(sys.argv[1:])
