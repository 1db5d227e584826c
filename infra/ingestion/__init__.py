"""The ingest Lambdas, their DLQ and their schedules."""
