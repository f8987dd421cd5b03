import sys

from serostudy.cli import main

sys.exit(main())
