"""The Glue Data Catalog tables and the Athena workgroup."""
