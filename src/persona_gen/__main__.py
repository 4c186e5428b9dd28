"""``python -m persona_gen``: the same as the ``persona-gen`` command."""

import sys

from persona_gen._console import main

sys.exit(main())
