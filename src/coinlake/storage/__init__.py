"""Storage: the `ObjectStore` port (`base`), a local folder (`local`) and the lake's layout
(`layout`: every area and key the transforms use, and the hidden-name rule).

The S3 implementation lives in `coinlake.aws.s3` (boto3 stays inside `coinlake.aws`); a lake is
opened from the settings by `coinlake.app.lake.open_lake`:

    store = open_lake(settings)                  # LocalStore or S3Store from settings.lake
    store.put_if_absent(key, data)               # Bronze: create-only
    data, version = store.get_with_version(key)  # state: read ...
    store.put_if_match(key, new, version)        # ... compare-and-swap
"""
