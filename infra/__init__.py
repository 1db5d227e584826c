"""The coinlake CDK app: one folder per logical unit, one Stack composing them (`stack.py`)."""
