"""The Glue Data Catalog (database and tables with partition projection) and the Athena workgroup.

Tables are generated from the definitions `coinlake ddl` uses (through `tables.py`), so a column
added to a transform reaches Athena with the next deploy; partition projection means no crawler
and no `MSCK REPAIR TABLE`. The workgroup enforces its configuration (engine v3, results under
`athena-results/`, SSE-S3, a bytes-scanned cutoff per query) whatever the client asks for.
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from constructs import Construct

from coinlake.deployment import Deployment
from infra.catalog.tables import (
    PARQUET_INPUT,
    PARQUET_OUTPUT,
    PARQUET_SERDE,
    DdlOptions,
    TableSpec,
    lake_tables,
    table_location,
    table_properties,
)
from infra.lake import ATHENA_RESULTS, LakeBucket

ENGINE_VERSION = "Athena engine version 3"


def database_name(deployment: Deployment) -> str:
    """Glue database of a stage (`coinlake_dev`): Glue names take no dashes."""
    return f"coinlake_{deployment.stage}".replace("-", "_").lower()


class Catalog(Construct):
    """Database, tables and workgroup."""

    def __init__(
        self, scope: Construct, construct_id: str, *, deployment: Deployment, lake: LakeBucket
    ) -> None:
        super().__init__(scope, construct_id)
        self.database_name = database_name(deployment)
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name,
                description="coinlake lake tables (Silver, Gold, quarantine)",
            ),
        )
        options = DdlOptions(
            location=lake.uri(),
            database=self.database_name,
            products=deployment.product_list,
            coins=tuple(c.strip() for c in deployment.coins.split(",") if c.strip()),
        )
        self.tables = {spec.name: self._table(spec, options) for spec in lake_tables()}
        self.workgroup_name = deployment.prefix
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=self.workgroup_name,
            description="coinlake queries: engine v3, enforced settings, scan cutoff",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=deployment.athena_bytes_scanned_cutoff,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version=ENGINE_VERSION
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=lake.uri(ATHENA_RESULTS),
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )

    def _table(self, spec: TableSpec, options: DdlOptions) -> glue.CfnTable:
        parameters = {"classification": "parquet", "EXTERNAL": "TRUE"}
        parameters.update(table_properties(spec, options))
        table = glue.CfnTable(
            self,
            _construct_id(spec.name),
            catalog_id=Aws.ACCOUNT_ID,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=spec.name,
                description=spec.comment or None,
                table_type="EXTERNAL_TABLE",
                parameters=parameters,
                partition_keys=[
                    glue.CfnTable.ColumnProperty(name=p.name, type=p.type) for p in spec.partitions
                ],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[
                        glue.CfnTable.ColumnProperty(name=c.name, type=c.type) for c in spec.columns
                    ],
                    location=table_location(spec, options),
                    input_format=PARQUET_INPUT,
                    output_format=PARQUET_OUTPUT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=PARQUET_SERDE),
                ),
            ),
        )
        table.node.add_dependency(self.database)
        return table


def _construct_id(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
