"""`coinlake schedule`: the in-process scheduler of the one-machine setup.

It reads the same EventBridge schedule expressions the AWS deployment uses (`rate(5 minutes)`,
`cron(0 17 * * ? *)`), so a schedule moves between a laptop and AWS unchanged:
`expressions` parses them (the calendar arithmetic is APScheduler's triggers), `loop` fires jobs
on a `Clock` (the system clock, or a test's), `jobs` builds the standard ingest and transform jobs.
"""
