"""Bronze: raw API responses landed untouched, and the ingestion state in `_state/`.

- `keys`: `build_key` / `parse_bronze_key` from each source's declared layout (the DESIGN.md
  layout for the built-in ones; each built-in source spells its own out in its `keys` module).
- `land`: `land_response(store, key, meta, body)`, create-only.
- `state`: id cursors, resumable walk/backfill checkpoints and run records (compare-and-swap).
- `lease`: one run at a time per product, expiring, on any store.

Source and dataset are parameters of every state and lease key. An id-walk run for one product
(`source, dataset = "coinbase", "trades"`), in the order that makes a crash lose nothing:

    name = product_lease_name(product, source, dataset)
    lease = acquire_lease(store, name, run_id, now=clock.now())
    cursor = read_trade_cursor(store, source, dataset, product)
    for page in pages:                                   # walking down from the newest trade
        land_response(store, trades_page_key(...), meta, body)      # 1. data
        progress = save_progress(store, progress_after(page))        # 2. checkpoint
        lease = renew_if_due(store, lease, now=clock.now())          #    still ours?
    advance_trade_cursor(store, source, dataset, product, new_cursor, now=clock.now())  # 3.
    clear_progress(store, source, "walk", product)
    release_lease(store, lease, now=clock.now())
"""
