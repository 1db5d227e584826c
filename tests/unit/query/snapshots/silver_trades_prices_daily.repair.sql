CREATE DATABASE IF NOT EXISTS `coinlake`;

CREATE EXTERNAL TABLE IF NOT EXISTS `coinlake`.`silver_trades` (
  `trade_id` bigint,
  `trade_time` timestamp,
  `price` decimal(18,8),
  `size` decimal(18,8),
  `side` string,
  `source` string,
  `ingested_at` timestamp,
  `bronze_key` string
)
COMMENT 'Coinbase trades: typed, deduplicated on (product_id, trade_id)'
PARTITIONED BY (`product_id` string, `date` date)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://example-lake/prod/silver/trades/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY'
);

MSCK REPAIR TABLE `coinlake`.`silver_trades`;

CREATE EXTERNAL TABLE IF NOT EXISTS `coinlake`.`gold_prices_daily` (
  `vs_currency` string,
  `date` date,
  `open` decimal(38,16),
  `high` decimal(38,16),
  `low` decimal(38,16),
  `close` decimal(38,16),
  `avg_price` decimal(38,8),
  `market_cap` decimal(38,8),
  `volume_24h` decimal(38,8),
  `observations` bigint
)
COMMENT 'Daily CoinGecko prices per coin and currency'
PARTITIONED BY (`coin_id` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://example-lake/prod/gold/prices_daily/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY'
);

MSCK REPAIR TABLE `coinlake`.`gold_prices_daily`;
