"""Bronze: raw API responses landed untouched, and the ingestion state in `_state/`.

- `keys`: pure Bronze key builders and `parse_bronze_key` (the DESIGN.md layout).
- `land`: `land_response(store, key, meta, body)`, create-only.
- `state`: trade cursors, resumable walk/backfill checkpoints and run records (compare-and-swap).
- `lease`: one run at a time per product, expiring, on any store.

An ingest run for one product, in the order that makes a crash lose nothing:

    lease = acquire_lease(store, product_lease_name(product), run_id, now=clock.now())
    cursor = read_trade_cursor(store, product)
    for page in pages:                                   # walking down from the newest trade
        land_response(store, trades_page_key(...), meta, body)      # 1. data
        progress = save_progress(store, progress_after(page))        # 2. checkpoint
        lease = renew_lease(store, lease, now=clock.now())           #    still ours?
    advance_trade_cursor(store, product, new_cursor, now=clock.now())  # 3. cursor, last
    clear_progress(store, "walk", product)
    release_lease(store, lease, now=clock.now())
"""
