import sys

from archsmith.cli import main

sys.exit(main())
