CREATE DATABASE IF NOT EXISTS `coinlake`;

CREATE EXTERNAL TABLE IF NOT EXISTS `coinlake`.`gold_trades_hourly` (
  `hour` TIMESTAMP,
  `trade_count` BIGINT,
  `avg_price` DECIMAL(18,8),
  `vwap` DECIMAL(18,8),
  `open` DECIMAL(18,8),
  `high` DECIMAL(18,8),
  `low` DECIMAL(18,8),
  `close` DECIMAL(18,8),
  `volume` DECIMAL(38,8),
  `notional` DECIMAL(38,16),
  `buy_volume` DECIMAL(38,8),
  `sell_volume` DECIMAL(38,8),
  `first_trade_id` BIGINT,
  `last_trade_id` BIGINT,
  `missing_trade_ids` bigint,
  `date` DATE
)
COMMENT 'Hourly OHLCV, VWAP and trade-id gaps per product'
PARTITIONED BY (`product_id` string, `year` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://example-lake/prod/gold/trades_hourly/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY',
  'projection.enabled' = 'true',
  'projection.product_id.type' = 'enum',
  'projection.product_id.values' = 'BTC-USD,ETH-USD,SOL-USD',
  'projection.year.type' = 'date',
  'projection.year.format' = 'yyyy',
  'projection.year.range' = '2015,NOW',
  'projection.year.interval' = '1',
  'projection.year.interval.unit' = 'YEARS',
  'storage.location.template' = 's3://example-lake/prod/gold/trades_hourly/product_id=${product_id}/year=${year}/'
);
