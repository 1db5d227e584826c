"""The monthly AWS cost of a coinlake deployment: unit prices, measured sizes, the estimate.

Pure code (no boto3, no I/O): `coinlake aws cost` prices a `coinlake.deployment.Deployment`
with `estimate.estimate_month(...)`.
"""
