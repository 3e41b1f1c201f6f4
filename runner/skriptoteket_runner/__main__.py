import sys

from skriptoteket_runner.wrapper import main

sys.exit(main())
