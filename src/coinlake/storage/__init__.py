"""Storage: the `ObjectStore` port (`base`), a local folder (`local`) and `open_store` (`factory`).

The S3 implementation lives in `coinlake.aws.s3` (boto3 stays inside `coinlake.aws`):

    store = open_store(settings)                 # LocalStore or S3Store from settings.lake
    store.put_if_absent(key, data)               # Bronze: create-only
    data, version = store.get_with_version(key)  # state: read ...
    store.put_if_match(key, new, version)        # ... compare-and-swap
"""
