"""The Glue job running the Silver and Gold transforms on Spark."""
