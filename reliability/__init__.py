"""`make reliability`: a repeatable attack on coinlake that proves no trade is lost or duplicated.

Every part starts real processes (`python -m coinlake ...`) against the API sandbox
(`coinlake sandbox serve`) and, for S3 lakes, moto's server; it injects faults (kill -9, fault
storms, concurrent runs, storage faults, hostile input, leaked secrets, damaged Bronze), lets
the lake recover with ordinary re-runs, and ends with the same invariant checks
(`reliability.invariants`). `python -m reliability --help` lists the options; see
`docs/reliability.md`.
"""
