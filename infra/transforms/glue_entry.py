"""The script AWS Glue runs for the coinlake transform job (uploaded as a CDK asset).

Everything lives in `coinlake.runtime.glue_job`, which Glue finds on the Python path from the
project's library (`--extra-py-files`); this file only hands over Glue's arguments.
"""

import sys

from coinlake.runtime.glue_job import main

status = main()
if status:
    sys.exit(status)
